// The Node.js side of test_mlkem_node.c: an independent ML-KEM (Node 26's crypto module, which
// is OpenSSL 3.5's). Reads requests on stdin, one a line, and answers each on stdout:
//   version                  -> "version NODE OPENSSL"
//   keygen ALG               -> "key SEED EK"   (a fresh key pair; raw d || z seed and raw ek)
//   encaps ALG EK            -> "ct CT SS"      (encapsulate to a raw ek; "refused" if Node
//                                                refuses the key)
//   decaps ALG SEED CT       -> "ss SS"         (decapsulate with the key of a raw seed)
// ALG is ml-kem-768 or ml-kem-1024; every byte string is hex.
'use strict';
const crypto = require('crypto');

const out = [];
const hex = (b) => Buffer.from(b).toString('hex');
for (const line of require('fs').readFileSync(0, 'utf8').split('\n')) {
  const f = line.trim().split(/\s+/);
  if (f[0] === 'version') {
    out.push(`version ${process.versions.node} ${process.versions.openssl}`);
  } else if (f[0] === 'keygen') {
    const { publicKey, privateKey } = crypto.generateKeyPairSync(f[1]);
    out.push(`key ${hex(privateKey.export({ format: 'raw-seed' }))} ` +
             `${hex(publicKey.export({ format: 'raw-public' }))}`);
  } else if (f[0] === 'encaps') {
    let key;
    try {
      key = crypto.createPublicKey({ key: Buffer.from(f[2], 'hex'), format: 'raw-public',
                                     asymmetricKeyType: f[1] });
    } catch (e) {
      out.push('refused');
      continue;
    }
    const { sharedKey, ciphertext } = crypto.encapsulate(key);
    out.push(`ct ${hex(ciphertext)} ${hex(sharedKey)}`);
  } else if (f[0] === 'decaps') {
    const key = crypto.createPrivateKey({ key: Buffer.from(f[2], 'hex'), format: 'raw-seed',
                                          asymmetricKeyType: f[1] });
    out.push(`ss ${hex(crypto.decapsulate(key, Buffer.from(f[3], 'hex')))}`);
  }
}
process.stdout.write(out.join('\n') + '\n');
