/** Checks on an action run's log: the masking order. */
import { secretForms } from "./leaks.ts";
import type { ActionRun } from "../../harness/runner.ts";

export {
  ACTION,
  laterStepEnvironment,
  NODE_24,
  parseFileCommands,
  runAction,
  runLaterStep,
  runnerEnvironment,
} from "../../harness/runner.ts";
export type { ActionRun } from "../../harness/runner.ts";

/**
 * The runner masks a value from its `::add-mask::` line on. So every line of
 * stdout or stderr that holds a secret (in any encoding) must be that secret's
 * own add-mask line, and `mustMask` secrets must have one. Returns the problems.
 */
export function maskingProblems(
  run: ActionRun,
  secrets: Record<string, string | undefined>,
  mustMask: string[],
): string[] {
  const problems: string[] = [];
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
  for (const [name, secret] of Object.entries(secrets)) {
    if (!secret) continue;
    const forms = secretForms(secret);
    let masked = false;
    for (const line of lines) {
      if (line.startsWith("::add-mask::")) {
        if (line === `::add-mask::${secret}`) masked = true;
        continue;
      }
      if (forms.some((form) => line.includes(form))) {
        problems.push(`${name} printed${masked ? "" : " before its ::add-mask::"}: ${line.slice(0, 40)}…`);
      }
    }
    if (!masked && mustMask.includes(name)) problems.push(`${name} was never masked`);
  }
  return problems;
}
