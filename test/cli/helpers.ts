/** Run the CLI in-process and capture its output and exit code. */
import { main } from "../../src/cli/main.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    out: (t) => {
      stdout += t.endsWith("\n") ? t : `${t}\n`;
    },
    err: (t) => {
      stderr += t.endsWith("\n") ? t : `${t}\n`;
    },
    isTty: false,
  });
  return { code, stdout, stderr };
}

/** Parse stdout as JSON and assert that no number in it is non-finite (JSON cannot even carry one). */
export function parseJson(run: CliRun): unknown {
  return JSON.parse(run.stdout) as unknown;
}
