// Renders each kustomization with `kustomize build` (render.mjs) and checks every rendered manifest against the
// Kubernetes API schemas (kubernetes-models, one validating model per kind) and Dapr's CRD schemas (dapr-schemas/, the
// openAPIV3Schema of each CRD, with ajv), then against what must hold for the shop in every cluster (rules below).
// Prints one line per manifest and exits 1 when any is invalid or a kustomization does not build, naming the folder,
// the manifest and the error.
// Usage: node validate.mjs [folder with kustomization.yaml ...]; without folders, deploy/kubernetes/base and each
// folder of deploy/kubernetes/overlays.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Namespace, Service, Secret, ConfigMap } from "kubernetes-models/v1";
import { render } from "./render.mjs";

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

function schemaErrors(manifest, type) {
  if (kubernetesKinds[type]) {
    try {
      new kubernetesKinds[type](manifest).validate();
      return [];
    } catch (error) {
      return [error.message];
    }
  }

  const validate = daprKinds[type];
  if (validate) {
    return validate(manifest) ? [] : [ajv.errorsText(validate.errors, { dataVar: manifest.kind })];
  }

  return [`no schema here for ${type}; add its kind to validate.mjs`];
}

// What an overlay may not change. Everything lives in one namespace, the one the Configurations' access policies and
// the sidecars' SPIFFE ids name; only the gateway is reachable from outside the cluster (the other apps answer nothing
// but /healthz without their sidecar's token); every Deployment keeps the Dapr sidecar and the locks the base gives it;
// every HPA scales a Deployment that is there.
const namespace = "daprshop";
const exposedServices = new Set(["auth-gateway"]);
const requiredAnnotations = ["dapr.io/app-port", "dapr.io/api-token-secret", "dapr.io/app-token-secret"];

function ruleErrors(manifest, all) {
  const errors = [];
  const name = manifest.metadata?.name;
  if (manifest.kind === "Namespace") {
    if (name !== namespace) {
      errors.push(`a namespace other than ${namespace}`);
    }
  } else if (manifest.metadata?.namespace !== namespace) {
    errors.push(`in namespace ${manifest.metadata?.namespace ?? "(none)"}, not ${namespace}`);
  }

  if (manifest.kind === "Service" && ["LoadBalancer", "NodePort"].includes(manifest.spec?.type) && !exposedServices.has(name)) {
    errors.push(`type ${manifest.spec.type} exposes it outside the cluster; only ${[...exposedServices].join(", ")} may be`);
  }

  if (manifest.kind === "Deployment") {
    const annotations = manifest.spec?.template?.metadata?.annotations ?? {};
    if (annotations["dapr.io/enabled"] !== "true") {
      errors.push(`annotation dapr.io/enabled is ${annotations["dapr.io/enabled"] ?? "missing"}, not "true"`);
    }
    if (annotations["dapr.io/app-id"] !== name) {
      errors.push(`annotation dapr.io/app-id is ${annotations["dapr.io/app-id"] ?? "missing"}, not the Deployment's name`);
    }
    const configuration = annotations["dapr.io/config"];
    if (!all.some((m) => m.kind === "Configuration" && m.metadata?.name === configuration)) {
      errors.push(`annotation dapr.io/config names ${configuration ?? "nothing"}, not a Configuration rendered here`);
    }
    for (const key of requiredAnnotations.filter((k) => !annotations[k])) {
      errors.push(`annotation ${key} missing`);
    }
  }

  if (manifest.kind === "HorizontalPodAutoscaler") {
    const target = manifest.spec?.scaleTargetRef;
    if (target?.kind !== "Deployment" || !all.some((m) => m.kind === "Deployment" && m.metadata?.name === target.name)) {
      errors.push(`scales ${target?.kind} ${target?.name}, not a Deployment rendered here`);
    }
    if ((manifest.spec?.minReplicas ?? 1) > manifest.spec?.maxReplicas) {
      errors.push(`minReplicas ${manifest.spec.minReplicas} above maxReplicas ${manifest.spec.maxReplicas}`);
    }
  }

  return errors;
}

function defaultFolders() {
  const kubernetes = resolve(here, "..", "..", "deploy", "kubernetes");
  const overlays = join(kubernetes, "overlays");
  return [
    join(kubernetes, "base"),
    ...readdirSync(overlays, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(overlays, e.name)).sort(),
  ];
}

const folders = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFolders();
let failures = 0;
let checked = 0;
for (const folder of folders) {
  const label = relative(process.cwd(), folder) || ".";
  let documents;
  try {
    documents = parseAllDocuments(render(folder));
  } catch (error) {
    failures++;
    console.log(`INVALID ${label}: ${error.message}`);
    continue;
  }

  const manifests = documents.map((document) => (document.errors.length > 0 ? null : document.toJSON()));
  documents.forEach((document, index) => {
    const where = `${label} document ${index + 1}`;
    if (document.errors.length > 0) {
      failures++;
      console.log(`INVALID ${where}: not valid YAML: ${document.errors[0].message}`);
      return;
    }

    const manifest = manifests[index];
    if (manifest === null) {
      return;
    }

    checked++;
    const type = `${manifest.apiVersion} ${manifest.kind}`;
    const errors = [...schemaErrors(manifest, type), ...ruleErrors(manifest, manifests.filter(Boolean))];
    if (errors.length === 0) {
      console.log(`ok      ${where}: ${type} ${manifest.metadata?.name}`);
    } else {
      failures++;
      console.log(`INVALID ${where}: ${type} ${manifest.metadata?.name}: ${errors.join("; ")}`);
    }
  });
}

console.log(`${checked} manifests checked, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
