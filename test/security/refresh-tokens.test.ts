/** Refresh-token theft: reuse revokes the session (RFC 9700), racing tabs converge, guesses revoke nothing. @see issue 5 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { MeDocument, RenewTokenDocument } from "../generated/graphql.js";
import { errorCode, startTestApi, type TestApi } from "../support/api.js";
import { signUpUser } from "./support.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "true" });
});
afterAll(async () => {
  await api?.close();
});

const renew = (refreshToken: string) => api.graphql(RenewTokenDocument, { refreshToken });

test("a rotated refresh token presented again (outside the grace window) revokes the whole session", async () => {
  const { payload } = await signUpUser(api);
  const first = await renew(payload.refreshToken);
  expect(first.status).toBe(200);
  const second = await renew(first.data!.renewToken.refreshToken);
  expect(second.status).toBe(200);
  // the thief replays the original token: it is two rotations old, so no grace applies
  const replay = await renew(payload.refreshToken);
  expect(replay.status).toBe(401);
  expect(errorCode(replay)).toBe("UNAUTHENTICATED");
  // and the legitimate holder's newest tokens stop working too
  expect((await renew(second.data!.renewToken.refreshToken)).status).toBe(401);
  expect((await api.graphql(MeDocument, {}, { token: second.data!.renewToken.accessToken })).status).toBe(401);
});

test("with the grace window off, even the directly preceding token is reuse", async () => {
  const strict = await startTestApi({ REFRESH_REUSE_GRACE: "0" });
  try {
    const { payload } = await signUpUser(strict);
    const rotated = await strict.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken });
    expect(rotated.status).toBe(200);
    expect((await strict.graphql(RenewTokenDocument, { refreshToken: payload.refreshToken })).status).toBe(401);
    expect((await strict.graphql(RenewTokenDocument, { refreshToken: rotated.data!.renewToken.refreshToken })).status).toBe(401);
  } finally {
    await strict.close();
  }
});

test("concurrent renewals of one token (two tabs) converge on one refresh token and keep the session", async () => {
  const { payload } = await signUpUser(api);
  const racers = await Promise.all(Array.from({ length: 5 }, () => renew(payload.refreshToken)));
  for (const res of racers) expect(res.status, JSON.stringify(res.errors)).toBe(200);
  const tokens = new Set(racers.map((res) => res.data!.renewToken.refreshToken));
  expect(tokens.size).toBe(1);
  const [converged] = [...tokens];
  const next = await renew(converged!);
  expect(next.status).toBe(200);
  expect(next.data!.renewToken.session.status).toBe("ACTIVE");
});

test("a guessed secret for a real token id is refused without revoking the victim's session", async () => {
  const { payload } = await signUpUser(api);
  const [id] = payload.refreshToken.split(".");
  const guess = await renew(`${id}.${Buffer.alloc(32, 7).toString("base64url")}`);
  expect(guess.status).toBe(401);
  expect((await renew(payload.refreshToken)).status).toBe(200);
});

test("an access token is not a refresh token", async () => {
  const { payload } = await signUpUser(api);
  const res = await renew(payload.accessToken);
  expect(res.status).toBe(401);
});

test("a reissue within the grace window is audited, and a successor row whose hash does not match its seal is not handed out @see issue 19", async () => {
  const { payload } = await signUpUser(api);
  const first = await renew(payload.refreshToken);
  const again = await renew(payload.refreshToken); // the preceding token again, within the window
  expect(again.data!.renewToken.refreshToken).toBe(first.data!.renewToken.refreshToken);
  const events = await api.store.listAuditEvents({ userId: payload.user.id, limit: 50, before: null });
  expect(events.filter((event) => event.type === "TOKEN_RENEWED").map((event) => event.detail)).toEqual(
    expect.arrayContaining([{ reissuedWithinGrace: true }]),
  );

  // the successor's stored hash no longer matches the sealed secret: the grace rule refuses (reuse) rather than trust the seal
  const fresh = await signUpUser(api);
  const rotated = await renew(fresh.payload.refreshToken);
  const successorId = rotated.data!.renewToken.refreshToken.split(".")[0]!;
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: api.databaseUrl });
  await client.connect();
  try {
    await client.query("UPDATE refresh_tokens SET secret_hash = $2 WHERE id = $1", [successorId, "0".repeat(64)]);
  } finally {
    await client.end();
  }
  const replay = await renew(fresh.payload.refreshToken);
  expect(errorCode(replay)).toBe("UNAUTHENTICATED");
});
