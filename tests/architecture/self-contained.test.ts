/**
 * The repository explains itself: nothing in it points at a folder beside it (a clone has none) or
 * cites a design document it does not hold; the design is docs/design.md. Every file git tracks or
 * would track (untracked, not ignored) is read; every relative Markdown link must land on a file or
 * folder inside the repository.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = fileURLToPath(import.meta.url);
const repo = resolve(dirname(here), "../..");

/** What points outside: the sibling folder of the original documents, and citations of them. */
const outside = [
  /\.\.\/shared\//,
  /\/work\/shared/,
  /\bDESIGN §/,
  /\bSTYLE §/,
  /\bDESIGN\.md\b/,
  /\bSTYLE\.md\b/,
  /original-design\.md/,
];

function repoFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return listed
    .split("\0")
    .filter((file) => file !== "" && file !== relative(repo, here).split(sep).join("/"))
    .filter((file) => existsSync(join(repo, file)) && statSync(join(repo, file)).isFile());
}

/** Text only: a file with a NUL byte in its first 8 KiB is binary (images, fonts). */
function text(file: string): string | undefined {
  const bytes = readFileSync(join(repo, file));
  return bytes.subarray(0, 8192).includes(0) ? undefined : bytes.toString("utf8");
}

describe("the repository is self-contained", () => {
  const files = repoFiles();

  it("reads the repository's files", () => {
    expect(files).toContain("docs/design.md");
    expect(files).toContain("README.md");
  });

  it("no file points outside the repository or cites a document it does not hold", () => {
    const found: string[] = [];
    for (const file of files) {
      const lines = text(file)?.split("\n") ?? [];
      lines.forEach((line, i) => {
        if (outside.some((pattern) => pattern.test(line))) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
    }
    expect(found).toEqual([]);
  });

  it("every relative Markdown link lands inside the repository, on something that exists", () => {
    const bad: string[] = [];
    let checked = 0;
    for (const file of files.filter((f) => f.endsWith(".md"))) {
      for (const match of (text(file) ?? "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = (match[1] ?? "").split("#")[0] ?? "";
        if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // an anchor, or http:, mailto:, …
        checked += 1;
        const path = resolve(repo, dirname(file), decodeURIComponent(target));
        const inside = path === repo || path.startsWith(repo + sep);
        if (target.startsWith("/") || !inside || !existsSync(path)) bad.push(`${file}: ${match[1]}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });
});
