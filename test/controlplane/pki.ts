// The keys and certificates a throwaway control plane needs: a self-signed serving cert for
// kube-apiserver on 127.0.0.1 (its own CA, so clients verify TLS rather than skip it) and the
// service-account token signing key pair. Written into the control plane's temp dir.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ControlPlanePki {
  /** PEM of the serving certificate; self-signed, so it is also the CA clients trust. */
  caCertFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  serviceAccountPublicKeyFile: string;
  serviceAccountPrivateKeyFile: string;
}

export function writePki(dir: string): ControlPlanePki {
  const servingCertFile = join(dir, "apiserver.crt");
  const servingKeyFile = join(dir, "apiserver.key");
  // OpenSSL rather than a JS X.509 library: Node can make keys but not certificates, and the
  // openssl CLI ships with every Debian/Ubuntu that has ca-certificates.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "7",
      "-subj",
      "/CN=vigil-testenv-apiserver",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-keyout",
      servingKeyFile,
      "-out",
      servingCertFile,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const serviceAccount = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const serviceAccountPublicKeyFile = join(dir, "sa.pub");
  const serviceAccountPrivateKeyFile = join(dir, "sa.key");
  writeFileSync(serviceAccountPublicKeyFile, serviceAccount.publicKey, { mode: 0o600 });
  writeFileSync(serviceAccountPrivateKeyFile, serviceAccount.privateKey, { mode: 0o600 });
  return {
    caCertFile: servingCertFile,
    servingCertFile,
    servingKeyFile,
    serviceAccountPublicKeyFile,
    serviceAccountPrivateKeyFile,
  };
}
