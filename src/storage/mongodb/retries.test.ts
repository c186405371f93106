import { expect, test } from "vitest";
import type { PrismaClient } from "../../generated/mongodb/client.js";
import { MongoStore } from "./mongodb-store.js";

const conflict = () => Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), { code: "P2034" });

/** A client whose every write loses a write conflict; counts the attempts. */
function conflictingClient() {
  const attempts = { single: 0, transactions: 0 };
  const client = {
    user: { updateMany: async () => (attempts.single++, Promise.reject(conflict())) },
    $transaction: async () => (attempts.transactions++, Promise.reject(conflict())),
  } as unknown as PrismaClient;
  return { attempts, store: new MongoStore({ url: "mongodb://recorder.invalid:27017/auth", poolSize: 1 }, client) };
}

test("a single operation is run again at most once: the engine already retries it @see issue 18", async () => {
  const { attempts, store } = conflictingClient();
  await expect(store.enableUser("65a1f0c2e4b0a1b2c3d4e5f6")).rejects.toMatchObject({ code: "P2034" });
  expect(attempts.single).toBe(2);
});

test("an interactive transaction is run again up to 10 times: the engine does not retry inside one @see issue 18", async () => {
  const { attempts, store } = conflictingClient();
  await expect(store.endSession("s1", "LOGGED_OUT", new Date())).rejects.toMatchObject({ code: "P2034" });
  expect(attempts.transactions).toBe(10);
});

test("a URL without a database name is refused before any connection @see issue 18", () => {
  expect(() => new MongoStore({ url: "mongodb://localhost:27017/?replicaSet=rs0", poolSize: 1 })).toThrow(/names no database/);
});
