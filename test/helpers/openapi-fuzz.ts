import fc from "fast-check";

/** The parts of an OpenAPI 3.1 document the fuzzer reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface Operation {
  operationId?: string;
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** The subset of JSON Schema that zod-openapi emits for this service's routes. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

/** One operation to drive: where, how, and what its body and query look like. */
export interface FuzzTarget {
  method: string;
  path: string;
  secured: boolean;
  bodySchema?: JsonSchema;
  query: Array<{ name: string; required: boolean; schema: JsonSchema }>;
  pathParams: string[];
}

/** Every operation of the document, with its JSON body schema (refs resolved lazily). */
export function fuzzTargets(doc: OpenApiDocument): FuzzTarget[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      secured: (operation.security ?? []).some((requirement) => Object.keys(requirement).length > 0),
      bodySchema: operation.requestBody?.content?.["application/json"]?.schema,
      query: (operation.parameters ?? [])
        .filter((parameter) => parameter.in === "query")
        .map((parameter) => ({
          name: parameter.name,
          required: parameter.required ?? false,
          schema: parameter.schema ?? {},
        })),
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
    })),
  );
}

/** Field names whose values are secrets: what a response must never echo. */
const SECRET_FIELD = /password|token|secret|code|codigo/i;

/**
 * A canary: a value no response could contain by chance, put where the schema asks for a secret,
 * so "the response never echoes a submitted secret" can be checked exactly.
 */
export const canary = fc.stringMatching(/^[0-9a-f]{20}$/).map((hex) => `cnry_${hex}`);

/** Strings that tend to break parsers, normalisers, loggers and SQL. */
const nastyString = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "\n\r\t",
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  "${7*7}{{7*7}}",
  "../../../etc/passwd",
  "%00%2e%2e%2f",
  "\u202Egnp.exe",
  "\uD800",
  "𝓊𝓃𝒾𝒸𝑜𝒹𝑒 ﷽ 👨‍👩‍👧",
  "ＡＤＭＩＮ",
  "admin",
  "a".repeat(5000),
  "é".repeat(700),
  "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfMSJ9.",
  "1e309",
  "-0",
);

/** Any JSON value, small, to put where the schema expects something else. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  nastyString,
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

function resolve(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  return resolve(doc.components?.schemas?.[name] ?? {}, doc);
}

function patternArbitrary(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return undefined;
  }
}

/** A string the schema accepts, most of the time (patterns and formats are honoured). */
function stringArbitrary(schema: JsonSchema, field: string): fc.Arbitrary<string> {
  const sized = (values: fc.Arbitrary<string>) =>
    values.filter(
      (value) =>
        value.length >= (schema.minLength ?? 0) &&
        value.length <= (schema.maxLength ?? Number.MAX_SAFE_INTEGER),
    );
  const options: fc.Arbitrary<string>[] = [];
  if (SECRET_FIELD.test(field)) options.push(canary);
  if (schema.format === "email") options.push(fc.emailAddress());
  const byPattern = schema.pattern ? patternArbitrary(schema.pattern) : undefined;
  if (byPattern) options.push(sized(byPattern));
  options.push(
    fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 64) }),
    fc.string({
      unit: "grapheme",
      minLength: schema.minLength ?? 0,
      maxLength: Math.min(schema.maxLength ?? 40, 40),
    }),
  );
  return fc.oneof(...options);
}

/** A value for `schema`: valid most of the time, with the odd mutation (wrong type, nasty string). */
export function valueFor(
  schema: JsonSchema,
  doc: OpenApiDocument,
  field = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, doc);
  const valid = validValueFor(resolved, doc, field, depth);
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 1, arbitrary: wrongValue },
    { weight: 1, arbitrary: nastyString },
  );
}

function validValueFor(
  schema: JsonSchema,
  doc: OpenApiDocument,
  field: string,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => valueFor(choice, doc, field, depth + 1)));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "object"];
  return fc.oneof(...types.map((type) => valueOfType(type, schema, doc, field, depth)));
}

function valueOfType(
  type: string,
  schema: JsonSchema,
  doc: OpenApiDocument,
  field: string,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true, noDefaultInfinity: true });
    case "string":
      return stringArbitrary(schema, field);
    case "array":
      return fc.array(valueFor(schema.items ?? {}, doc, field, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    default:
      return objectFor(schema, doc, depth);
  }
}

/** An object with each required property (now and then dropped) and some optional ones. */
export function objectFor(schema: JsonSchema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant({});
  const resolved = resolve(schema, doc);
  const properties = Object.entries(resolved.properties ?? {});
  const required = new Set(resolved.required ?? []);
  const entries = properties.map(([name, property]) =>
    fc
      .tuple(
        fc.constant(name),
        valueFor(property, doc, name, depth + 1),
        fc.nat(19).map((roll) => (required.has(name) ? roll !== 0 : roll % 2 === 0)),
      )
      .map(([key, value, present]) => (present ? [[key, value] as const] : [])),
  );
  const extra = fc.option(
    fc.tuple(fc.constantFrom("__proto__", "constructor", "isAdmin", "role", "x"), wrongValue),
    {
      freq: 8,
    },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([pairs, additional]) => {
    const object: Record<string, unknown> = {};
    for (const pair of pairs.flat())
      Object.defineProperty(object, pair[0], {
        value: pair[1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    if (additional) {
      Object.defineProperty(object, additional[0], {
        value: additional[1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  });
}

/** Every canary in a value, at any depth: the submitted secrets a response must never echo. */
export function canariesIn(value: unknown): string[] {
  if (typeof value === "string") return value.startsWith("cnry_") ? [value] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(canariesIn);
}
