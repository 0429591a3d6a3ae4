#!/usr/bin/env node
// Validates responses that cannot go through Prism against openapi.yaml:
// HEAD (Prism's proxy tries to parse the empty body of a JSON response and
// fails), methods the contract has no operation for (405), paths outside it
// (404), raw URIs Prism would re-encode (bad percent-escapes), ambiguous
// request framing (400, 501), a server over its connection limit (503), and
// what the HTTP library answers itself (431).
//
// usage: validate.js OPENAPI_YAML MANIFEST
// MANIFEST: one response a line, tab-separated:
//   label  method  target  expected-status  status  headers-file  body-file
// Prints one line per violation ("label: message") and exits 0; exits 2 when
// it cannot run at all.
'use strict';
const fs = require('fs');
const yaml = require('js-yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats');

// The documented answer to requests no operation covers, by status.
const FALLBACK = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'ContentTooLarge',
  414: 'UriTooLong',
  431: 'RequestHeaderFieldsTooLarge',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
};

function main() {
  const [docFile, manifest] = process.argv.slice(2);
  if (!docFile || !manifest) {
    console.error('usage: validate.js OPENAPI_YAML MANIFEST');
    process.exit(2);
  }
  const doc = yaml.load(fs.readFileSync(docFile, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const compiled = new Map();
  const validator = pointer => {
    if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: 'openapi#' + pointer }));
    return compiled.get(pointer);
  };
  const esc = s => s.replace(/~/g, '~0').replace(/\//g, '~1');
  const get = pointer => pointer.split('/').slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, k) => (o == null ? undefined : o[k]), doc);
  // Follows $ref (local only); returns [object, its JSON pointer].
  const deref = pointer => {
    let node = get(pointer);
    for (let i = 0; node && node.$ref && i < 10; i++) {
      pointer = node.$ref.replace(/^#/, '');
      node = get(pointer);
    }
    return [node, pointer];
  };
  const templates = Object.keys(doc.paths).map(t => ({
    template: t,
    re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  }));

  for (const line of fs.readFileSync(manifest, 'utf8').split('\n')) {
    if (!line) continue;
    const [label, method, target, expected, statusText, headersFile, bodyFile] = line.split('\t');
    const out = [];
    const status = Number(statusText);
    if (String(status) !== expected) out.push(`status ${statusText}, expected ${expected}`);

    const headers = {};
    for (const h of fs.readFileSync(headersFile, 'latin1').split(/\r?\n/).slice(1)) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const body = fs.existsSync(bodyFile) ? fs.readFileSync(bodyFile, 'utf8') : '';

    const path = target.split('?')[0];
    const match = templates.find(t => t.re.test(path));
    const opPointer = match && `/paths/${esc(match.template)}/${method.toLowerCase()}`;
    let responsePointer;
    if (opPointer && get(opPointer)) {
      responsePointer = `${opPointer}/responses/${status}`;
      if (!get(responsePointer)) {
        out.push(`status ${status} is not documented for ${method} ${match.template}`);
        responsePointer = undefined;
      }
    } else if (target === '*' && method === 'OPTIONS' && status === 204) {
      // the asterisk form asks about the whole server: a preflight's answer
      responsePointer = '/components/responses/Preflight';
    } else if (FALLBACK[status]) {
      responsePointer = `/components/responses/${FALLBACK[status]}`;
    } else {
      out.push(`status ${status} is not documented for ${method} ${path} (no operation)`);
    }

    if (responsePointer) {
      const [response, rp] = deref(responsePointer);
      for (const name of Object.keys(response.headers || {})) {
        const [h, hp] = deref(`${rp}/headers/${esc(name)}`);
        const value = headers[name.toLowerCase()];
        if (value === undefined) {
          if (h.required) out.push(`required header ${name} is missing`);
          continue;
        }
        if (h.schema) {
          const v = validator(`${hp}/schema`);
          if (!v(value)) out.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`);
        }
      }
      const content = response.content || {};
      const types = Object.keys(content);
      if (types.length > 0 && method !== 'HEAD') {
        const ct = (headers['content-type'] || '').split(';')[0].trim().toLowerCase();
        if (!types.includes(ct)) {
          out.push(`Content-Type ${JSON.stringify(ct)} is not one of ${types.join(', ')}`);
        } else if (content[ct].schema) {
          let value = body;
          if (/json$/.test(ct)) {
            try {
              value = JSON.parse(body);
            } catch (e) {
              out.push(`body is not JSON: ${e.message}`);
              value = undefined;
            }
          }
          if (value !== undefined) {
            const v = validator(`${rp}/content/${esc(ct)}/schema`);
            if (!v(value)) {
              for (const e of v.errors.slice(0, 10))
                out.push(`body${e.instancePath} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
            }
          }
        }
      }
      if (method === 'HEAD' && body.length > 0) out.push('a HEAD response has a body');
    }
    for (const o of out) console.log(`${label}: ${o}`);
  }
}

main();
