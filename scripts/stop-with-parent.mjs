// Runs a command and stops it, with everything it started, when the process that started this script
// goes away. A test run or benchmark that is killed mid-way then cannot leave `wrangler dev` and
// workerd running. Start it detached (its own process group, as scripts/local-worker.mjs does) so
// that signalling the group reaches the whole tree.
//
// usage: node scripts/stop-with-parent.mjs <command> [args...]
import { spawn } from "node:child_process";
import { constants } from "node:os";

const PARENT_POLL_MS = 500;
const GRACE_MS = 5_000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/stop-with-parent.mjs <command> [args...]");
  process.exit(2);
}

// When the parent dies this process is re-parented (to init or a subreaper), so ppid changes.
const parentPid = process.ppid;
const child = spawn(command, args, { stdio: "inherit" });
let stopping = false;

/** Signals our process group; fails quietly when we do not lead one or it is already gone. */
function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  // wrangler stops workerd on SIGTERM; whatever still runs after the grace period is killed, us included.
  child.kill("SIGTERM");
  setTimeout(() => signalGroup("SIGKILL"), GRACE_MS).unref();
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);
let orphaned = false;
const parentWatch = setInterval(() => {
  if (process.ppid === parentPid) return;
  orphaned = true;
  stop();
}, PARENT_POLL_MS);

child.on("error", (error) => {
  console.error(`stop-with-parent: cannot start ${command}: ${error.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  clearInterval(parentWatch);
  // Leftovers of the tree (a workerd whose wrangler died) get SIGTERM; this process handles it.
  signalGroup("SIGTERM");
  if (orphaned) {
    // Nobody is left to sweep the group after us: give the leftovers the grace period, then kill
    // whatever remains (this process included).
    setTimeout(() => signalGroup("SIGKILL"), GRACE_MS);
    return;
  }
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
