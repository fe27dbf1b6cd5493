/**
 * TensorFlow's C library greets every process on stderr: absl's "WARNING: All log messages before
 * absl::InitializeLog() is called are written to STDERR" and a oneDNN notice at info level.
 * TensorFlow 2.21 prints them whatever `TF_CPP_MIN_LOG_LEVEL` says, so while the library loads,
 * file descriptor 2 is pointed at a temporary file (through libc's dup2, with Deno's FFI); then
 * it is restored and every line that is not one of those two notices is written back to stderr,
 * so real errors are still seen.
 *
 * @module
 */

/**
 * Lines TensorFlow prints on every start-up; nothing a user can act on. The GPU package adds two
 * when it finds no GPU, which the backend report says itself ("no GPU found ...").
 */
const NOISE = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /oneDNN custom operations are on\./,
  /cudart_stub\.cc.*Could not find cuda drivers on your machine, GPU will not be used\./,
  /cuda_platform\.cc.*failed call to cuInit/,
];

/**
 * Runs `fn` with the process's stderr (fd 2) captured, then re-prints what it wrote except
 * TensorFlow's start-up notices. Where libc cannot be opened (not Linux, no FFI permission), runs
 * `fn` as it is.
 *
 * @example
 * ```ts
 * import { withoutTensorflowNotices } from "./_quiet_stderr.ts";
 * const n = await withoutTensorflowNotices(() => Promise.resolve(42));
 * console.log(n); // 42
 * ```
 */
export async function withoutTensorflowNotices<T>(fn: () => Promise<T>): Promise<T> {
  let libc;
  try {
    if (Deno.build.os !== "linux") return await fn();
    libc = Deno.dlopen("libc.so.6", {
      dup: { parameters: ["i32"], result: "i32" },
      dup2: { parameters: ["i32", "i32"], result: "i32" },
      open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
    });
  } catch {
    return await fn();
  }
  const path = Deno.makeTempFileSync({ prefix: "llm-tf-stderr-" });
  const O_WRONLY = 1, O_TRUNC = 0o1000;
  const fd = libc.symbols.open(new TextEncoder().encode(path + "\0"), O_WRONLY | O_TRUNC, 0o600);
  const saved = fd >= 0 ? libc.symbols.dup(2) : -1;
  if (fd < 0 || saved < 0 || libc.symbols.dup2(fd, 2) < 0) {
    if (fd >= 0) libc.symbols.close(fd);
    libc.close();
    Deno.removeSync(path);
    return await fn();
  }
  try {
    return await fn();
  } finally {
    libc.symbols.dup2(saved, 2);
    libc.symbols.close(saved);
    libc.symbols.close(fd);
    libc.close();
    const text = Deno.readTextFileSync(path);
    Deno.removeSync(path);
    const kept = text.split("\n").filter((l) => l.trim() && !NOISE.some((re) => re.test(l)));
    if (kept.length > 0) console.error(kept.join("\n"));
  }
}
