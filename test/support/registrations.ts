/** Narrowing helpers for tests that know which way a store authenticates. */
import type { ConnectorRegistration } from "../../src/zenml/documents";
import type { ConnectorAuth, StoreFacts, StoreRegistration } from "../../src/zenml/model";

/** The registration of a store ZenML reaches through a connector; fails the test otherwise. */
export function connectorRegistration(reg: StoreRegistration): ConnectorRegistration {
  const { auth } = reg;
  if (auth.kind !== "connector") throw new Error(`${reg.storeName} has no connector`);
  return { ...reg, auth };
}

/** The connector auth of a store's facts; fails the test otherwise. */
export function connectorAuth(facts: Pick<StoreFacts, "auth">): ConnectorAuth {
  if (facts.auth.kind !== "connector") throw new Error("the store has no connector");
  return facts.auth;
}
