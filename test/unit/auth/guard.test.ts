import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { corsOptions, refuse, type GuardOptions } from "../../../src/auth/guard.ts";
import { ConfigError, isLoopback, loadConfig } from "../../../src/config.ts";

const req = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as IncomingMessage;
const off: GuardOptions = { auth: false, corsOrigins: [], allowedHosts: [] };
const json = { host: "127.0.0.1:4000", "content-type": "application/json" };

describe("refuse", () => {
  it.each([
    ["a JSON POST", "POST", json, off, null],
    ["application/graphql-response+json", "POST", { ...json, "content-type": "application/graphql-response+json; charset=utf-8" }, off, null],
    ["a form POST", "POST", { ...json, "content-type": "application/x-www-form-urlencoded" }, off, 415],
    ["a multipart POST", "POST", { ...json, "content-type": "multipart/form-data; boundary=x" }, off, 415],
    ["a text/plain POST", "POST", { ...json, "content-type": "text/plain" }, off, 415],
    ["a POST without a type", "POST", { host: "127.0.0.1:4000" }, off, 415],
    ["a GET", "GET", { host: "localhost:4000" }, off, null],
    ["IPv6 loopback", "GET", { host: "[::1]:4000" }, off, null],
    ["a foreign Host with auth off (DNS rebinding)", "GET", { host: "attacker.example:4000" }, off, 403],
    ["no Host with auth off", "GET", {}, off, 403],
    ["a Host listed in ALLOWED_HOSTS", "GET", { host: "dev.internal:4000" }, { ...off, allowedHosts: ["dev.internal"] }, null],
    ["a foreign Host with auth on", "GET", { host: "deploye.example:4000" }, { ...off, auth: true }, null],
    ["a same-origin page", "POST", { ...json, origin: "http://127.0.0.1:4000" }, off, null],
    ["a foreign Origin", "POST", { ...json, origin: "http://evil.example" }, off, 403],
    ["Origin null (sandboxed frame)", "POST", { ...json, origin: "null" }, off, 403],
    ["a same host on another port", "POST", { ...json, origin: "http://127.0.0.1:5000" }, off, 403],
    ["a listed Origin", "POST", { ...json, origin: "https://app.example" }, { ...off, corsOrigins: ["https://app.example"] }, null],
    ["any Origin with *", "POST", { ...json, origin: "https://x.example" }, { ...off, corsOrigins: ["*"] }, null],
  ])("%s", (_what, method, headers, options, status) => {
    expect(refuse(req(method, headers), options)?.status ?? null).toBe(status);
  });
});

describe("CORS and AUTH settings", () => {
  it("sends CORS headers only for listed origins; * never with credentials", () => {
    expect(corsOptions([])).toBe(false);
    expect(corsOptions(["*"])).toEqual({ origin: "*", credentials: false });
    expect(corsOptions(["https://a.example"])).toMatchObject({ origin: ["https://a.example"], credentials: true });
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, http://localhost:5173" }).corsOrigins).toEqual(["https://a.example", "http://localhost:5173"]);
    expect(() => loadConfig({ CORS_ORIGINS: "a.example" })).toThrow("CORS_ORIGINS must list origins");
    expect(() => loadConfig({ CORS_ORIGINS: "https://a.example/path" })).toThrow(ConfigError);
  });

  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["localhost", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
    ["example.com", false],
    ["127.0.0.1.nip.io", false],
  ])("isLoopback(%j) = %j", (host, loopback) => expect(isLoopback(host)).toBe(loopback));

  it("defaults AUTH to off only on a loopback HOST, and refuses AUTH=off elsewhere", () => {
    expect(loadConfig({}).auth).toBe(false);
    expect(loadConfig({ HOST: "0.0.0.0" }).auth).toBe(true);
    expect(loadConfig({ HOST: "localhost", AUTH: "on" }).auth).toBe(true);
    expect(() => loadConfig({ HOST: "0.0.0.0", AUTH: "off" })).toThrow(/^AUTH=off needs a loopback HOST/);
    expect(() => loadConfig({ DEPLOYE_BOOTSTRAP_TOKEN: "short" })).toThrow("DEPLOYE_BOOTSTRAP_TOKEN must be at least 16 characters");
  });
});
