import { describe, expect, test } from "vitest";
import { testDeps } from "../../test/support/auth-deps.js";
import { CLI_ACTOR } from "./actor.js";
import { listAuditEvents } from "./audit-events.js";
import { createAuth } from "./auth.js";
import type { ClientInfo, Principal } from "./principal.js";
import { createUser, disableUser } from "./user-admin.js";

const client: ClientInfo = { ipAddress: "203.0.113.7", userAgent: "unit" };
let counter = 0;

async function setUp() {
  const deps = testDeps({ env: { SESSION_LIMIT: "0" } });
  const store = deps.store;
  const auth = createAuth(deps);
  const principalOf = async (roles: string[]): Promise<Principal> => {
    counter += 1;
    const password = `a long enough password ${counter}`;
    const user = await auth.createUser(CLI_ACTOR, { email: `u${counter}@example.com`, password, roles }, client);
    const { session } = await auth.login({ login: user.email, password }, client);
    return { user, session };
  };
  return { store, deps, auth, principalOf };
}

describe("administrative use cases", () => {
  test("the system actor may create users with roles; its events name it instead of an account", async () => {
    const { deps, store } = await setUp();
    const user = await createUser(deps, CLI_ACTOR, { email: "root@example.com", password: "a long enough root password", roles: ["ADMIN"] }, client);
    expect(user.roles).toEqual(["ADMIN"]);
    const [event] = await store.listAuditEvents({ userId: user.id, limit: 1, before: null });
    expect(event).toMatchObject({ type: "USER_CREATED", actorId: null, detail: { actor: "cli", roles: ["ADMIN"] } });
  });

  test("a principal without ADMIN is FORBIDDEN from every administrative use case", async () => {
    const { auth, principalOf } = await setUp();
    const caller = await principalOf([]);
    const target = await principalOf([]);
    const forbidden = { code: "FORBIDDEN" };
    await expect(auth.createUser(caller, { email: "x@example.com", password: "a long enough password x" }, client)).rejects.toMatchObject(forbidden);
    await expect(auth.findUser(caller, { id: target.user.id })).rejects.toMatchObject(forbidden);
    await expect(auth.disableUser(caller, target.user.id, client)).rejects.toMatchObject(forbidden);
    await expect(auth.enableUser(caller, target.user.id, client)).rejects.toMatchObject(forbidden);
    await expect(auth.deleteUser(caller, target.user.id, client)).rejects.toMatchObject(forbidden);
    await expect(auth.revokeUserSessions(caller, target.user.id, client)).rejects.toMatchObject(forbidden);
    await expect(auth.revokeSession(caller, target.session.id, client)).rejects.toMatchObject(forbidden);
    await expect(auth.listSessions(caller, target.user.id)).rejects.toMatchObject(forbidden);
  });

  test("disableUser() revokes every session, records the admin, and is not recorded twice", async () => {
    const { deps, store, principalOf } = await setUp();
    const admin = await principalOf(["ADMIN"]);
    const target = await principalOf([]);
    const disabled = await disableUser(deps, admin, target.user.id, client);
    expect(disabled.disabledAt).toEqual(expect.any(Date));
    expect((await store.getSession(target.session.id))?.status).toBe("REVOKED");
    await disableUser(deps, admin, target.user.id, client);
    const events = await store.listAuditEvents({ userId: target.user.id, limit: 50, before: null });
    expect(events.filter((e) => e.type === "USER_DISABLED")).toEqual([expect.objectContaining({ actorId: admin.user.id, detail: { sessionsRevoked: 1 } })]);
  });

  test("a user sees that an administrator acted on their account, not which one nor from where @see issue 19", async () => {
    const { deps, auth, principalOf } = await setUp();
    const admin = await principalOf(["ADMIN"]);
    const target = await principalOf([]);
    await auth.revokeSession(admin, target.session.id, { ipAddress: "198.51.100.66", userAgent: "admin-browser" });
    const relogin = await principalOf([]); // a fresh principal to read with (the target's session was revoked)
    const seenByUser = await listAuditEvents(deps, { ...relogin, user: target.user }, target.user.id, { limit: 50, before: null });
    const revoked = seenByUser.find((event) => event.type === "SESSION_REVOKED");
    expect(revoked).toMatchObject({ actorId: null, ipAddress: null, userAgent: null, detail: { actor: "administrator" } });
    const seenByAdmin = await listAuditEvents(deps, admin, target.user.id, { limit: 50, before: null });
    expect(seenByAdmin.find((event) => event.type === "SESSION_REVOKED")).toMatchObject({ actorId: admin.user.id, ipAddress: "198.51.100.66" });
    // the user's own events keep their address
    expect(seenByUser.find((event) => event.type === "LOGIN")).toMatchObject({ ipAddress: client.ipAddress });
  });

  test("listAuditEvents() shows a user their own events, refuses a stranger and checks the limit", async () => {
    const { deps, principalOf } = await setUp();
    const owner = await principalOf([]);
    const stranger = await principalOf([]);
    const admin = await principalOf(["ADMIN"]);
    const page = { limit: 50, before: null };
    expect((await listAuditEvents(deps, owner, owner.user.id, page)).map((e) => e.type)).toEqual(expect.arrayContaining(["USER_CREATED", "LOGIN"]));
    expect(await listAuditEvents(deps, admin, owner.user.id, page)).not.toHaveLength(0);
    expect(await listAuditEvents(deps, CLI_ACTOR, owner.user.id, page)).not.toHaveLength(0);
    await expect(listAuditEvents(deps, stranger, owner.user.id, page)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(listAuditEvents(deps, owner, owner.user.id, { limit: 0, before: null })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});
