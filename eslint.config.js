// ESLint: typescript-eslint's strict type-checked rules over every TypeScript file tsconfig.test.json covers.
// A rule is switched off or relaxed only with the reason beside it.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "providers/",
      ".cache/",
      "coverage/",
      "bridge/protocol/generated/",
      "fixtures/golden/",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ["./tsconfig.test.json"], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Error messages and logs interpolate counts, sizes and flags; a number or boolean prints as expected.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // noUncheckedIndexedAccess makes every indexed read optional; `!` marks the reads whose index the code has
      // just checked or built (a regex group, keys[0] after a length check), where a runtime check would be dead.
      "@typescript-eslint/no-non-null-assertion": "off",
      // `(line) => log(line)` in callbacks is the house style; only a void value used as a value is an error.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // A leading underscore names a value destructured only to leave it out of `...rest`.
      "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_", argsIgnorePattern: "^_" }],
      // Values read from files, sockets, child processes and the engine are cast to the shape they should have and
      // then checked at run time; this rule reads exactly those checks as dead code.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Methods of interfaces implemented by plain objects of closures, which never use `this`.
      "@typescript-eslint/unbound-method": "off",
      // Implementations of Promise-returning interfaces stay `async` so that a throw becomes a rejection.
      "@typescript-eslint/require-await": "off",
      // The rejections handled in callbacks come from Node APIs and this code, which reject with Error only.
      "@typescript-eslint/use-unknown-in-catch-callback-variable": "off",
    },
  },
  {
    // Tests and the demo read protocol responses as parsed JSON lines (`any`) and check their shape with expect;
    // the exact-JSON tests write integers beyond 2^53 on purpose.
    files: ["**/*.test.ts", "test/**/*.ts", "testkit/**/*.ts", "demo/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-dynamic-delete": "off",
      "no-loss-of-precision": "off",
    },
  },
  {
    // Plain JavaScript (this file, scripts/) and the Vitest config are outside the TypeScript project.
    files: ["**/*.js", "**/*.mjs", "vitest.config.ts"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly" },
    },
  },
);
