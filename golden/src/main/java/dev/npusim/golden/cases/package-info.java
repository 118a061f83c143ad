/**
 * Case files of {@code npusim.case.v1} ({@code shared/spec/case-format.md}): {@link
 * dev.npusim.golden.cases.GoldenCase} (one layer invocation and its bit-exact expected output),
 * {@link dev.npusim.golden.cases.CaseReader} (validating reader whose every rejection names the
 * file and JSON field) and {@link dev.npusim.golden.cases.CaseWriter} (same layout as the golden
 * files, atomic writes).
 */
package dev.npusim.golden.cases;
