// The leak check itself (test/support/leakCheck.ts), on planted secrets in temporary
// files and texts: it must find each form, name the place and never the value.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AZURITE_LOGS_SAS_URLS, LeakCheck } from "../../support/leakCheck";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
  "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
  "-----END PRIVATE KEY-----",
  "",
].join("\n");

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "zrs-leak-"));
}

describe("LeakCheck", () => {
  it("finds a secret as is, JSON-escaped, URL-encoded, base64-encoded and line by line", () => {
    const check = new LeakCheck().secret("s3 key", SECRET).secret("sa key", PEM);
    check.text("plain", `key=${SECRET}`);
    check.text("url", `https://x.test/?sig=${encodeURIComponent(SECRET)}`);
    check.text("base64", Buffer.from(SECRET).toString("base64"));
    check.text("json", JSON.stringify({ private_key: PEM }));
    check.text("one line of the key", `…${PEM.split("\n")[2]}…`);
    const scan = check.scan();
    expect(scan.findings.map((f) => `${f.secret} ${f.where} ${f.form}`)).toEqual([
      "s3 key text:plain plain",
      "s3 key text:url url",
      "s3 key text:base64 base64",
      "sa key text:json json",
      "sa key text:json pem-line", // each of the key's two base64 lines
      "sa key text:json pem-line",
      "sa key text:one line of the key pem-line",
    ]);
    expect(JSON.stringify(scan.findings)).not.toContain(SECRET);
    expect(scan.secrets).toBe(2);
  });

  it("scans files and logs; a plaintext secret in stacks/*.yaml is a leak even in a 0600 file", () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "stacks"));
    const stackFile = path.join(dir, "stacks", "Pulumi.dev.yaml");
    fs.writeFileSync(stackFile, `config:\n  k: ${SECRET}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "stacks", "dev.zenml.yaml"), "secure: v1:abc\n");
    const log = path.join(dir, "server.log");
    fs.writeFileSync(log, `GET /?token=${SECRET}\n`);
    const scan = new LeakCheck().secret("key", SECRET).dir(dir).allowFile(stackFile).scan();
    expect(scan.findings.map((f) => f.where)).toEqual([
      `file:${path.join(dir, "server.log")}`,
      `file:${stackFile}`,
    ]);
    expect(scan.files).toBe(3);
    const logged = new LeakCheck().secret("key", SECRET).log(log).scan();
    expect(logged.findings.map((f) => f.where)).toEqual([`log:${log}`]);
  });

  it("allows a declared 0600 file and flags it when it is readable by others", () => {
    const dir = tmp();
    const file = path.join(dir, "key.json");
    fs.writeFileSync(file, SECRET, { mode: 0o600 });
    expect(new LeakCheck().secret("key", SECRET).dir(dir).allowFile(file).scan()).toMatchObject({
      findings: [],
      allowed: 1,
      files: 0,
    });
    fs.chmodSync(file, 0o644);
    expect(new LeakCheck().secret("key", SECRET).dir(dir).allowFile(file).scan().findings).toEqual([
      { secret: "(any)", where: `file:${file}`, form: "mode 644, not 600" },
    ]);
  });

  it("reads texts late, snapshots directories that will be removed, and reports a missing log", () => {
    const transcript: string[] = [];
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "script.sh"), `echo ${SECRET}`);
    const check = new LeakCheck().secret("key", SECRET).text("transcript", transcript).dirNow(dir);
    fs.rmSync(dir, { recursive: true });
    transcript.push(`later: ${SECRET}`);
    check.log(path.join(dir, "gone.log"));
    expect(check.scan().findings.map((f) => `${f.where} ${f.form}`)).toEqual([
      "text:transcript plain",
      `log:${path.join(dir, "gone.log")} log file missing`,
      `file:${path.join(dir, "script.sh")} plain`,
    ]);
  });

  it("reports a secret a service's own log is declared to hold, and fails any other", () => {
    const dir = tmp();
    const log = path.join(dir, "azurite.log");
    const sig = "q3R5bmFzdHkrc2lnbmF0dXJlPQ==";
    fs.writeFileSync(
      log,
      `GET /acct/c?sv=2015-04-05&sig=${encodeURIComponent(sig)} 200\n${SECRET}\n`,
    );
    const scan = new LeakCheck()
      .secret("SAS signature", sig)
      .secret("account key", SECRET)
      .log(log, AZURITE_LOGS_SAS_URLS)
      .scan();
    expect(scan.expected.map((e) => `${e.secret} ${e.form}`)).toEqual(["SAS signature url"]);
    expect(scan.findings.map((f) => f.secret)).toEqual(["account key"]);
  });

  it("captures this process's console and stdout", () => {
    const check = new LeakCheck().secret("key", SECRET).captureOutput();
    process.stdout.write(`oops ${SECRET.slice(0, 10)}`);
    console.log("and", SECRET.slice(10));
    console.log({ nested: SECRET });
    expect(check.scan().findings).toEqual([
      { secret: "key", where: "text:process output", form: "plain" },
    ]);
  });

  it("refuses secrets too short to search for, and picks the secret fields of a credentials map", () => {
    expect(() => new LeakCheck().secret("short", "abc")).toThrow(/shorter than 8/);
    expect(() => new LeakCheck().secret("missing", undefined)).toThrow(/missing/);
    const keyFile = JSON.stringify({ type: "service_account", private_key: PEM });
    const scan = new LeakCheck()
      .credentials("store", {
        aws_access_key_id: "AKIAEXAMPLEEXAMPLE12",
        aws_secret_access_key: SECRET,
        service_account_json: Buffer.from(keyFile).toString("base64"),
      })
      .text("id only", "AKIAEXAMPLEEXAMPLE12")
      .scan();
    expect(scan.secrets).toBe(3);
    expect(scan.findings).toEqual([]);
  });
});
