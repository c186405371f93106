import { CombinedGraphQLErrors } from "@apollo/client/errors";
import {
  ChangePasswordDocument,
  CompleteMfaLoginDocument,
  LoginDocument,
  MeDocument,
  RevokeSessionDocument,
  signOutWithFetch,
  SignUpDocument,
  type MeQuery,
} from "graphql-auth-api/client";
import { client, endpoint, tokens } from "./auth.js";
import { FORM_ERRORS, signedOutMessage } from "./messages.js";

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const notice = $("#notice");
const formError = $("#form-error");

function showNotice(text: string | null): void {
  notice.textContent = text ?? "";
  notice.hidden = !text;
}

/** The message for a failed operation: the API's reason, translated. */
function errorText(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    const reason = error.errors[0]?.extensions?.reason;
    if (typeof reason === "string" && FORM_ERRORS[reason]) return FORM_ERRORS[reason];
    return error.errors[0]?.message ?? "Something went wrong.";
  }
  return "The API cannot be reached.";
}

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([key, value]) => [key, String(value)]));
}

function render(signedIn: boolean): void {
  $("#signed-in").hidden = !signedIn;
  $("#signed-out").hidden = signedIn;
}

function renderMe(me: MeQuery["me"]): void {
  $("#me-email").textContent = me.email;
  $("#me-username").textContent = me.username ? `(${me.username})` : "";
  const rows = me.sessions
    .filter((session) => session.status === "ACTIVE")
    .map((session) => {
      const row = document.createElement("tr");
      row.className = session.current ? "current" : "";
      row.dataset.sessionId = session.id;
      for (const text of [
        `${session.userAgent ?? "unknown device"}${session.current ? " (this device)" : ""}`,
        session.ipAddress ?? "",
        new Date(session.createdAt).toLocaleString(),
        new Date(session.lastUsedAt).toLocaleString(),
      ]) {
        row.insertCell().textContent = text;
      }
      const button = document.createElement("button");
      button.textContent = "Sign out this device";
      button.addEventListener("click", () => void (session.current ? signOut() : revoke(session.id)));
      row.insertCell().append(button);
      return row;
    });
  $("#sessions tbody").replaceChildren(...rows);
}

async function loadMe(): Promise<void> {
  if (!tokens.isSignedIn()) return render(false);
  try {
    const { data } = await client.query({ query: MeDocument });
    if (data) renderMe(data.me);
    render(tokens.isSignedIn());
  } catch {
    // a session that ended is reported by the signedOut event; anything else leaves the page as it is
  }
}

async function revoke(sessionId: string): Promise<void> {
  await client.mutate({ mutation: RevokeSessionDocument, variables: { sessionId } }).catch(() => undefined);
  await loadMe();
}

/** Signs this browser out everywhere at once, then ends the session at the API. */
function signOut(): Promise<void> {
  return signOutWithFetch(tokens, endpoint);
}

/** Between the password and the code of an account with TOTP on. */
let mfaToken: string | null = null;

$<HTMLFormElement>("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { login, password } = formValues(event.currentTarget as HTMLFormElement);
  try {
    const { data } = await client.mutate({ mutation: LoginDocument, variables: { input: { login: login!, password: password! } } });
    if (data) await signedIn(data.login);
  } catch (error) {
    // an account with TOTP on: the password was right; the second step takes the code with this token
    const extensions = CombinedGraphQLErrors.is(error) ? error.errors[0]?.extensions : undefined;
    if (extensions?.reason === "MFA_REQUIRED" && typeof extensions.mfaToken === "string") {
      mfaToken = extensions.mfaToken;
      formError.textContent = "";
      $("#mfa").hidden = false;
      $<HTMLInputElement>("#mfa input[name=code]").focus();
      return;
    }
    formError.textContent = errorText(error);
  }
});

$<HTMLFormElement>("#mfa").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { code } = formValues(event.currentTarget as HTMLFormElement);
  try {
    const { data } = await client.mutate({ mutation: CompleteMfaLoginDocument, variables: { mfaToken: mfaToken ?? "", code: code! } });
    if (data) await signedIn(data.completeMfaLogin);
  } catch (error) {
    formError.textContent = errorText(error);
    // expired, used or out of tries: back to the password
    if (CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.reason === "MFA_TOKEN_INVALID") $("#mfa").hidden = true;
  }
});

$<HTMLFormElement>("#sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { email, username, password } = formValues(event.currentTarget as HTMLFormElement);
  try {
    const input = { email: email!, password: password!, ...(username ? { username } : {}) };
    const { data } = await client.mutate({ mutation: SignUpDocument, variables: { input } });
    if (data) await signedIn(data.signUp);
  } catch (error) {
    formError.textContent = errorText(error);
  }
});

$<HTMLFormElement>("#change-password").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const { currentPassword, newPassword } = formValues(form);
  const result = $("#change-password-result");
  try {
    await client.mutate({ mutation: ChangePasswordDocument, variables: { currentPassword: currentPassword!, newPassword: newPassword! } });
    result.textContent = "Password changed; your other devices were signed out.";
    form.reset();
    await loadMe();
  } catch (error) {
    result.textContent = errorText(error);
  }
});

$("#sign-out").addEventListener("click", () => void signOut());

async function signedIn(payload: Parameters<typeof tokens.setTokens>[0]): Promise<void> {
  formError.textContent = "";
  showNotice(null);
  for (const form of document.querySelectorAll<HTMLFormElement>("#signed-out form")) form.reset();
  mfaToken = null;
  $("#mfa").hidden = true;
  await tokens.setTokens(payload);
}

// The kit's events drive the page: a sign-in (here or in another tab) shows the account, the end of the
// session (here, in another tab, or by another device's login) shows why.
tokens.on("signedOut", (event) => {
  showNotice(signedOutMessage(event));
  render(false);
  void client.clearStore();
});
tokens.on("tokens", (pair) => {
  if (pair && $("#signed-in").hidden) {
    showNotice(null);
    void loadMe();
  }
});
window.addEventListener("focus", () => void loadMe());

await tokens.ready;
render(tokens.isSignedIn());
await loadMe();
