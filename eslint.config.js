import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "packages/contracts/src/gen/**",
      "tests/interop/gen/**",
      "**/dist/**",
      "bench/results/**",
      "chaos/results/**",
      "**/.data/**",
      "deploy/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "no-console": ["error", { allow: ["error"] }],
      // One entry per concern, so importing the logger never loads pg, PGlite or gRPC (docs/conventions.md).
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@qc/platform",
              message:
                "import the entry of the concern instead: @qc/platform/log, /errors, /config, /db, /grpc, … (docs/conventions.md)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["scripts/**", "bench/**", "chaos/**", "**/*.test.ts", "tests/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["eslint.config.js", ".dependency-cruiser.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
  },
);
