// otlp_check.js — checks an `impulse export --format otlp` document against the
// OpenTelemetry protocol's definitions: the ExportTraceServiceRequest message that
// @opentelemetry/otlp-transformer generates from opentelemetry-proto with protobufjs.
//
//   node otlp_check.js NODE_MODULES FILE
//
// OTLP/JSON is proto3 JSON with hex ids: the ids are checked (lowercase hex of 16 or
// 8 bytes) and turned into proto3 JSON's base64 first. The document then goes
// fromObject -> verify -> encode -> decode -> toObject, and what comes back must be
// the document: a field the schema does not have, a value of the wrong type or an
// enum out of range does not survive the round trip. Prints "ok N spans" or the
// first difference, and exits 1.
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, file] = process.argv.slice(2);
const root = require(path.join(modules,
	"@opentelemetry/otlp-transformer/build/src/generated/root.js"));
const Req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function fail(msg) {
	console.log("FAIL " + msg);
	process.exit(1);
}

const ID_BYTES = { traceId: 16, spanId: 8, parentSpanId: 8 };

// hex ids -> base64, checked; returns a copy
function toProto3(v, where) {
	if (Array.isArray(v))
		return v.map((x, i) => toProto3(x, where + "[" + i + "]"));
	if (v && typeof v === "object") {
		const out = {};
		for (const [k, x] of Object.entries(v)) {
			if (k in ID_BYTES) {
				const re = new RegExp("^[0-9a-f]{" + 2 * ID_BYTES[k] + "}$");
				if (typeof x !== "string" || !re.test(x) || /^0+$/.test(x))
					fail(where + "." + k + ": " + JSON.stringify(x) +
					     " is not " + ID_BYTES[k] + " bytes of lowercase hex, nonzero");
				out[k] = Buffer.from(x, "hex").toString("base64");
			} else {
				out[k] = toProto3(x, where + "." + k);
			}
		}
		return out;
	}
	return v;
}

function isDefault(v) {
	return v === 0 || v === "0" || v === "" || v === false || v === null ||
		(Array.isArray(v) && v.length === 0);
}

function same(a, b, where) {
	if (Array.isArray(a)) {
		if (!Array.isArray(b) || a.length !== b.length)
			fail(where + ": array of " + a.length + " came back as " + JSON.stringify(b));
		a.forEach((x, i) => same(x, b[i], where + "[" + i + "]"));
		return;
	}
	if (a && typeof a === "object") {
		if (!b || typeof b !== "object")
			fail(where + ": came back as " + JSON.stringify(b));
		for (const [k, x] of Object.entries(a)) {
			if (!(k in b)) {
				if (isDefault(x))
					continue;	// proto3 leaves default values out
				fail(where + "." + k + ": not a field of the schema (or a wrong type): " +
				     JSON.stringify(x).slice(0, 200));
			}
			same(x, b[k], where + "." + k);
		}
		for (const k of Object.keys(b))
			if (!(k in a) && !isDefault(b[k]))
				fail(where + "." + k + ": appeared in the round trip: " + JSON.stringify(b[k]));
		return;
	}
	// numbers given as strings (int64) come back as strings; doubles as numbers
	if (String(a) !== String(b))
		fail(where + ": " + JSON.stringify(a) + " came back as " + JSON.stringify(b));
}

const doc = JSON.parse(fs.readFileSync(file, "utf8"));
const obj = toProto3(doc, "$");
const msg = Req.fromObject(obj);
const err = Req.verify(msg);
if (err)
	fail("verify: " + err);
const back = Req.toObject(Req.decode(Req.encode(msg).finish()),
	{ longs: String, enums: Number, bytes: String, defaults: false });
same(obj, back, "$");
let spans = 0;
for (const rs of doc.resourceSpans || [])
	for (const ss of rs.scopeSpans || [])
		spans += (ss.spans || []).length;
console.log("ok " + spans + " spans");
