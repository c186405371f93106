/** Seeds the benchmark's users and sessions through the API itself (signUp over HTTP, as a client would). */

/** A seeded account with the session its sign-up started. */
export interface SeededUser {
  login: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken } }`;

/** Signs up `count` users (a few at a time) and returns their credentials and tokens. */
export async function seedUsers(endpoint: string, count: number, options: { concurrency?: number; runId: string }): Promise<SeededUser[]> {
  const users: SeededUser[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const login = `bench${options.runId}u${index}`;
      const password = `bench password ${index} of run ${options.runId}`;
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: SIGN_UP, variables: { input: { email: `${login}@example.com`, username: login, password } } }),
      });
      const body = (await response.json()) as { data?: { signUp: { accessToken: string; refreshToken: string } }; errors?: unknown[] };
      if (!response.ok || !body.data) throw new Error(`seeding: signUp failed with HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
      users[index] = { login, password, ...body.data.signUp };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, count) }, worker));
  return users;
}
