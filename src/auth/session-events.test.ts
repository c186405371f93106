import { describe, expect, test } from "vitest";
import { testDeps } from "../../test/support/auth-deps.js";
import { silentLogger } from "../logger.js";
import { CLI_ACTOR } from "./actor.js";
import { createAuth } from "./auth.js";
import { createSessionEvents, type EndedStatus, type SessionEndFeed } from "./session-events.js";

// @see issue 12
const client = { ipAddress: null, userAgent: "unit" };
let counter = 0;

/** A feed the test drives by hand, as the database would. */
function manualFeed() {
  let handlers: Parameters<SessionEndFeed["start"]>[0] | null = null;
  const feed: SessionEndFeed = { start: (given) => void (handlers = given), ready: async () => undefined, close: async () => undefined };
  return { feed, notify: (sessionId: string, status: EndedStatus) => handlers?.ended(sessionId, status) };
}

async function setUp(env: Record<string, string> = {}) {
  const deps = testDeps({ env: { SESSION_LIMIT: "0", ...env } });
  const auth = createAuth(deps);
  const { feed, notify } = manualFeed();
  const events = createSessionEvents({ feed, store: deps.store, idleTimeoutSeconds: deps.sessions.idleTimeoutSeconds, now: deps.now, log: silentLogger });
  const session = async () => {
    counter += 1;
    const password = `a long enough password ${counter}`;
    const user = await auth.createUser(CLI_ACTOR, { email: `e${counter}@example.com`, password, roles: [] }, client);
    return auth.login({ login: user.email, password }, client);
  };
  return { deps, auth, events, notify, session };
}

describe("createSessionEvents()", () => {
  test("a notice reaches every watcher of its session once, and no one else", async () => {
    const { events, notify } = await setUp();
    const heard: string[] = [];
    events.onSessionEnded("s1", (status) => heard.push(`a:${status}`));
    events.onSessionEnded("s1", (status) => heard.push(`b:${status}`));
    const stop = events.onSessionEnded("s2", (status) => heard.push(`c:${status}`));
    stop();
    notify("s1", "LOGGED_OUT");
    notify("s1", "REVOKED");
    notify("s2", "REVOKED");
    expect(heard).toEqual(["a:LOGGED_OUT", "b:LOGGED_OUT"]);
    expect(events.watched).toBe(0);
  });

  test("resync() finds what lost notices would have said: ended, deleted, disabled; live sessions stay watched", async () => {
    const { deps, events, session } = await setUp();
    const [ended, deleted, disabled, live] = [await session(), await session(), await session(), await session()];
    const heard = new Map<string, EndedStatus>();
    for (const { session: watched } of [ended, deleted, disabled, live]) events.onSessionEnded(watched.id, (status) => heard.set(watched.id, status));

    // written while no notice got through
    await deps.store.endSession(ended.session.id, "REPLACED", deps.now());
    await deps.store.deleteUser(deleted.user.id);
    // a disabled user whose session is still ACTIVE in storage (a login that raced the disable)
    const keep = { status: "REVOKED" as const, exceptSessionId: disabled.session.id };
    await deps.store.applySecurityChange(disabled.user.id, { expectedStamp: null, disabledAt: deps.now(), endSessions: keep }, deps.now());
    await events.resync();

    expect(heard.get(ended.session.id)).toBe("REPLACED");
    expect(heard.get(deleted.session.id)).toBe("REVOKED");
    expect(heard.get(disabled.session.id)).toBe("REVOKED");
    expect(heard.has(live.session.id)).toBe(false);
    expect(events.watched).toBe(1);
  });
});
