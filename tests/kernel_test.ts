// `deno task kernel`: the kernelspec points at a deno outside npx's cache, and a second run
// replaces the first (--force) instead of failing.
import { assert, assertEquals } from "@std/assert";
import { installKernel, isEphemeral, kernelSpecPath } from "../scripts/kernel.ts";

Deno.test("npx's cache counts as ephemeral, system and npm -g paths do not", () => {
  assert(isEphemeral("/root/.npm/_npx/8f3a/node_modules/@deno/linux-x64-glibc/deno"));
  assert(!isEphemeral("/usr/bin/deno"));
  assert(!isEphemeral("/usr/local/lib/node_modules/deno/node_modules/@deno/linux-x64-glibc/deno"));
});

Deno.test({
  name: "kernel task installs, then updates an existing kernelspec",
  ignore: Deno.build.os !== "linux", // XDG_DATA_HOME moves the user data dir on Linux only
  fn: () => {
    const before = Deno.env.get("XDG_DATA_HOME");
    const dir = Deno.makeTempDirSync({ prefix: "llm-kernel-" });
    Deno.env.set("XDG_DATA_HOME", dir);
    try {
      const spec = installKernel();
      assertEquals(spec, kernelSpecPath());
      assert(spec.startsWith(dir), `${spec} should be under ${dir}`);
      const argv0 = JSON.parse(Deno.readTextFileSync(spec)).argv[0];
      assert(!isEphemeral(argv0), `kernelspec runs ${argv0}`);
      assertEquals(installKernel(), spec); // exists now: replaced with --force, no error
    } finally {
      if (before === undefined) Deno.env.delete("XDG_DATA_HOME");
      else Deno.env.set("XDG_DATA_HOME", before);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
