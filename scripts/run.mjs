// Runs one of this repository's TypeScript scripts (`npm test`, `npm start`, ...) on a Node that can load it:
// the Node 24 that `npm ci` installs on linux-x64 (npm puts node_modules/.bin first on PATH), or the machine's
// Node from 22.18 on, which strips types by itself. Any older Node stops here with one line saying what to install.
// Plain JavaScript on purpose: it must run on every Node.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `itsyou-token-action: this script needs Node 22.18 or later (Node 24 recommended; npm ci installs it on linux-x64), not Node ${process.versions.node}: install one and run it again.`,
  );
  process.exit(1);
}
const script = process.argv.splice(2, 1)[0];
process.argv[1] = resolve(script);
await import(pathToFileURL(process.argv[1]).href);
