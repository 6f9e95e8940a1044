// Where the dashboard finds the server (the origin that served it) and its token (sessionStorage,
// never the URL), and the one graphql-ws client every view shares.
import type { Client } from "graphql-ws";
import { subscriptionClient, type Target } from "../../lib/connection.ts";

const TOKEN_KEY = "deploye.token";

export function savedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) || undefined;
}

export function saveToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function targetFor(token: string | undefined): Target {
  return { server: new URL("/graphql", location.origin).toString(), token };
}

export type Link = "connecting" | "live" | "reconnecting";

export function connect(target: Target, onLink: (link: Link) => void): Client {
  let everConnected = false;
  return subscriptionClient(target, WebSocket, {
    connected: () => {
      everConnected = true;
      onLink("live");
    },
    closed: () => onLink(everConnected ? "reconnecting" : "connecting"),
  });
}

/** "3d", "5h", "2m", "40s" since `iso`. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d`;
  if (s >= 3_600) return `${Math.floor(s / 3_600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}
