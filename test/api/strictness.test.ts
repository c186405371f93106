/**
 * The per-request session check stays strict under concurrency: the lookups of all requests in flight are
 * batched into shared queries, yet a revocation committed before a request is sent is always seen by that
 * request. Not a timing test: it asserts outcomes only.
 * @see issue #6
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { LoginDocument, MeDocument, RevokeSessionDocument, SignUpDocument } from "../generated/graphql.js";
import { errorCode, newCredentials, startTestApi, type TestApi } from "../support/api.js";

const USERS = 10;
const SESSIONS_PER_USER = 4;
const ROUNDS = 4;

interface TestSession {
  id: string;
  userId: string;
  accessToken: string;
  revoked: boolean;
}

let api: TestApi;
const sessions: TestSession[] = [];

beforeAll(async () => {
  api = await startTestApi({ SESSION_LIMIT: "0" });
  await Promise.all(
    Array.from({ length: USERS }, async () => {
      const creds = newCredentials("strict");
      const first = (await api.graphql(SignUpDocument, { input: creds })).data!.signUp;
      sessions.push({ id: first.session.id, userId: first.user.id, accessToken: first.accessToken, revoked: false });
      for (let i = 1; i < SESSIONS_PER_USER; i++) {
        const next = (await api.graphql(LoginDocument, { input: { login: creds.email, password: creds.password } })).data!.login;
        sessions.push({ id: next.session.id, userId: next.user.id, accessToken: next.accessToken, revoked: false });
      }
    }),
  );
}, 120_000);

afterAll(async () => {
  await api?.close();
});

/** `me` for a session: "ok" (200 with its user) or "refused" (401 UNAUTHENTICATED); anything else fails. */
async function me(session: TestSession): Promise<"ok" | "refused"> {
  const res = await api.graphql(MeDocument, {}, { token: session.accessToken });
  if (res.status === 200 && res.data?.me.id === session.userId) return "ok";
  if (res.status === 401 && errorCode(res) === "UNAUTHENTICATED") return "refused";
  throw new Error(`unexpected answer for session ${session.id}: HTTP ${res.status} ${JSON.stringify(res.errors ?? res.data)}`);
}

/** Expected answers for `copies` concurrent `me` requests of every session, and what actually came back. */
async function sweep(copies: number): Promise<{ expected: string[]; actual: string[] }> {
  const targets = sessions.flatMap((session) => Array.from({ length: copies }, () => session));
  const expected = targets.map((session) => `${session.id}: ${session.revoked ? "refused" : "ok"}`);
  const answers = await Promise.all(targets.map((session) => me(session)));
  return { expected, actual: targets.map((session, i) => `${session.id}: ${answers[i]}`) };
}

test(`a revocation committed before a request is sent is seen by it, with many requests in flight (${USERS * SESSIONS_PER_USER} sessions, ${ROUNDS} rounds)`, async () => {
  expect(sessions).toHaveLength(USERS * SESSIONS_PER_USER);
  // every session has just been used successfully: nothing may remember that
  const warm = await sweep(2);
  expect(warm.actual).toEqual(warm.expected);

  for (let round = 1; round <= ROUNDS; round++) {
    const live = sessions.filter((session) => !session.revoked);
    const victims = live.filter((_, i) => i % 3 === round % 3).slice(0, Math.max(1, Math.floor(live.length / 3)));

    // traffic for every live session, in flight while the revocations commit; these race them, so either answer is fine
    const background = Promise.all(live.flatMap((session) => [me(session), me(session)]));

    // each victim's requests are sent right after its own revocation answered (and so committed)
    const immediate = await Promise.all(
      victims.map(async (victim) => {
        const revoked = await api.graphql(RevokeSessionDocument, { sessionId: victim.id }, { token: victim.accessToken });
        expect(revoked.status).toBe(200);
        expect(revoked.data?.revokeSession.status).toBe("REVOKED");
        victim.revoked = true;
        return Promise.all([me(victim), me(victim), me(victim)]);
      }),
    );
    expect(immediate.flat()).toEqual(immediate.flat().map(() => "refused"));

    // then every session at once: revoked ones refused, every other one served
    const after = await sweep(3);
    expect(after.actual).toEqual(after.expected);
    await background;
  }
  expect(sessions.filter((session) => session.revoked).length).toBeGreaterThan(sessions.length / 2);
});
