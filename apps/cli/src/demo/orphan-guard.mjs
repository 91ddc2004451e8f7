// Loaded into every app the demo starts (NODE_OPTIONS=--import): when the demo dies without
// stopping its apps (kill -9, a crash), the app is handed to another parent, notices within a
// second and stops itself the way SIGTERM stops it, so no orphan keeps running.
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  process.kill(process.pid, 'SIGTERM');
}, 1_000);
timer.unref();
