// Which notebooks `deno task notebooks` runs for a command line: the course by default, worked
// solutions only when named.
import { assertEquals, assertThrows } from "@std/assert";
import { pickNotebooks } from "../scripts/execute_notebooks.ts";

const course = ["/r/notebooks/00_setup.ipynb", "/r/notebooks/01_llms.ipynb"];
const solutions = [
  "/r/notebooks/solutions/00_solutions.ipynb",
  "/r/notebooks/solutions/01_solutions.ipynb",
];

Deno.test("pickNotebooks: no names runs the course, not the solutions", () => {
  assertEquals(pickNotebooks([], course, solutions), course);
});

Deno.test("pickNotebooks: a bare name picks course notebooks, solutions/NN picks solutions", () => {
  assertEquals(pickNotebooks(["01"], course, solutions), [course[1]]);
  assertEquals(pickNotebooks(["solutions/01"], course, solutions), [solutions[1]]);
  assertEquals(pickNotebooks(["00", "solutions/01"], course, solutions), [course[0], solutions[1]]);
});

Deno.test("pickNotebooks: --solutions picks every solution", () => {
  assertEquals(pickNotebooks(["--solutions"], course, solutions), solutions);
});

Deno.test("pickNotebooks: an unknown flag or a name that matches nothing throws", () => {
  assertThrows(() => pickNotebooks(["--solution"], course, solutions), Error, "unknown flag");
  assertThrows(() => pickNotebooks(["solutions/09"], course, solutions), Error, "no notebook");
});
