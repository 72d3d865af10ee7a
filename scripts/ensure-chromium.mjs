// Makes sure a Chromium exists for the browser tests: Debian's package where it can (root + apt),
// else Playwright's own download. Prints the executable path it settled on.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];
const found = () => candidates.find((p) => p && existsSync(p));

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (!found()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.error('ensure-chromium: installing Debian chromium');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', 'chromium']);
  } else {
    console.error('ensure-chromium: no system Chromium; downloading Playwright\'s');
    run('npx', ['playwright', 'install', 'chromium']);
  }
}
console.error(`ensure-chromium: ${found() ?? 'Playwright-managed chromium'}`);
