// Checks every manifest a kustomization takes in (following folder resources to their own kustomization.yaml) against
// the Kubernetes API schemas (kubernetes-models, one validating model per kind) and Dapr's CRD schemas (dapr-schemas/,
// the openAPIV3Schema of each CRD, with ajv). Prints one line per document and exits 1 when any is invalid, naming
// the file, the document and the schema error. Usage: node validate.mjs <folder with kustomization.yaml>
import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parseAllDocuments, parse } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Namespace, Service, Secret, ConfigMap } from "kubernetes-models/v1";

const here = dirname(fileURLToPath(import.meta.url));
const kubernetesKinds = {
  "apps/v1 Deployment": Deployment,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 Namespace": Namespace,
  "v1 Service": Service,
  "v1 Secret": Secret,
  "v1 ConfigMap": ConfigMap,
};

// Kubernetes accepts the x-kubernetes-* extensions in CRD schemas; ajv only needs to know they exist.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: Number.isInteger });
const daprKinds = Object.fromEntries(
  ["Component", "Configuration", "Resiliency"].map((kind) => [
    `dapr.io/v1alpha1 ${kind}`,
    ajv.compile(JSON.parse(readFileSync(join(here, "dapr-schemas", `${kind}.json`), "utf8"))),
  ]),
);

function resources(folder) {
  const kustomization = parse(readFileSync(join(folder, "kustomization.yaml"), "utf8"));
  return (kustomization.resources ?? []).flatMap((entry) => {
    const path = resolve(folder, entry);
    return statSync(path).isDirectory() ? resources(path) : [path];
  });
}

const root = resolve(process.argv[2] ?? ".");
let failures = 0;
let checked = 0;
for (const file of resources(root)) {
  const name = relative(process.cwd(), file);
  parseAllDocuments(readFileSync(file, "utf8")).forEach((document, index) => {
    const where = `${name} document ${index + 1}`;
    if (document.errors.length > 0) {
      failures++;
      console.log(`INVALID ${where}: not valid YAML: ${document.errors[0].message}`);
      return;
    }

    const manifest = document.toJSON();
    if (manifest === null) {
      return;
    }

    const type = `${manifest.apiVersion} ${manifest.kind}`;
    checked++;
    try {
      if (kubernetesKinds[type]) {
        new kubernetesKinds[type](manifest).validate();
      } else if (daprKinds[type]) {
        const validate = daprKinds[type];
        if (!validate(manifest)) {
          throw new Error(ajv.errorsText(validate.errors, { dataVar: manifest.kind }));
        }
      } else {
        throw new Error(`no schema here for ${type}; add its kind to validate.mjs`);
      }

      console.log(`ok      ${where}: ${type} ${manifest.metadata?.name}`);
    } catch (error) {
      failures++;
      console.log(`INVALID ${where}: ${type} ${manifest.metadata?.name}: ${error.message}`);
    }
  });
}

console.log(`${checked} manifests checked, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
