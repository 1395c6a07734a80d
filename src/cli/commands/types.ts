/** Options every command has. */
export interface GlobalArgs {
  readonly json?: boolean;
  readonly debug?: boolean;
}
