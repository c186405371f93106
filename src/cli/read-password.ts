import type { ReadStream } from "node:tty";

const MAX_PIPED_BYTES = 64 * 1024;

/** Thrown when the user interrupts the prompt (Ctrl-C, Ctrl-D) or nothing usable arrives. */
export class PasswordInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PasswordInputError";
  }
}

/**
 * Reads a password from the terminal without echoing it (asked twice when `confirm`), or, when stdin is
 * piped, its first line. Never from argv: arguments show up in `ps` and in shell history.
 */
export async function readPassword(options: { prompt: string; confirm: boolean }): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return readFirstLine(stdin);
  const typed = { rest: "" }; // keystrokes typed ahead of the second prompt belong to it
  const password = await promptHidden(stdin, options.prompt, typed);
  if (options.confirm && (await promptHidden(stdin, "Repeat the password: ", typed)) !== password) {
    throw new PasswordInputError("The passwords do not match");
  }
  return password;
}

async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes("\n") || text.length > MAX_PIPED_BYTES) break;
  }
  const line = text.split("\n")[0]?.replace(/\r$/, "") ?? "";
  if (line === "") throw new PasswordInputError("No password on stdin: pipe it in (one line) or run in a terminal to be prompted");
  return line;
}

function promptHidden(stdin: ReadStream, prompt: string, typed: { rest: string }): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  let line = "";
  return new Promise<string>((resolve, reject) => {
    const finish = (error: Error | null) => {
      stdin.removeListener("data", consume);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(line);
    };
    const consume = (chunk: string): void => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const char = chars[i]!;
        if (char === "\r" || char === "\n") {
          typed.rest = chars
            .slice(i + 1)
            .join("")
            .replace(/^\n/, ""); // \r\n counts as one Enter
          return finish(null);
        }
        if (char === "\u0003" || char === "\u0004") return finish(new PasswordInputError("Cancelled"));
        if (char === "\u007f" || char === "\b") line = [...line].slice(0, -1).join("");
        else if (char >= " ") line += char;
      }
    };
    const ahead = typed.rest;
    typed.rest = "";
    stdin.on("data", consume);
    stdin.resume();
    if (ahead !== "") consume(ahead);
  });
}
