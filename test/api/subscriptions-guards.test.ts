/**
 * An integrator's own `@Authorized` subscription over WebSocket: refused on an anonymous socket, and
 * re-checked at every event (a user disabled without any session write is refused at the next event).
 * @see issue 12
 */
import { createPubSub } from "@graphql-yoga/subscription";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Authorized, Int, Resolver, Root, Subscription } from "type-graphql";
import { createSchema } from "../../src/graphql/schema.js";
import { silentLogger } from "../../src/logger.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { accountWithSession } from "../support/accounts.js";
import { before, openSocket } from "../support/sockets.js";

const pubSub = createPubSub<{ TICK: [number] }>();

@Resolver()
class TickResolver {
  @Authorized()
  @Subscription(() => Int, { topics: "TICK" })
  tick(@Root() n: number): number {
    return n;
  }
}

let api: TestApi;
beforeAll(async () => {
  const schema = await createSchema([TickResolver], { pubSub });
  api = await startTestApi({}, undefined, schema, silentLogger);
});
afterAll(async () => {
  await api?.close();
});

async function subscribed(count: number) {
  await before(
    (async () => {
      while (api.app.subscriptions.operations < count) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    5_000,
    "subscribed",
  );
}

test("on an anonymous socket an @Authorized subscription is UNAUTHENTICATED", async () => {
  const socket = openSocket(api.wsUrl);
  await socket.connected;
  const first = await socket.subscribe("subscription { tick }").first;
  expect(first.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_MISSING" });
  await socket.dispose();
});

test("each event re-checks the caller: a user disabled in the store is refused at the next event", async () => {
  const { user, payload } = await accountWithSession(api);
  const socket = openSocket(api.wsUrl, payload.accessToken);
  await socket.connected;
  const running = api.app.subscriptions.operations;
  const sub = socket.subscribe("subscription { tick }");
  await subscribed(running + 1);
  pubSub.publish("TICK", 1);
  expect(await sub.first).toEqual({ data: { tick: 1 } });

  // no session write, so no notice: only the check at the event itself can refuse it
  const sql = new pg.Client({ connectionString: api.databaseUrl });
  await sql.connect();
  await sql.query("UPDATE users SET disabled_at = now() WHERE id = $1", [user.id]).finally(() => sql.end());
  pubSub.publish("TICK", 2);
  await before(
    (async () => {
      while (sub.results.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    5_000,
    "second event",
  );
  expect(sub.results[1]?.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "ACCOUNT_UNAVAILABLE" });
  expect(sub.results[1]?.data).toBeNull();
  await socket.dispose();
});
