package dev.npusim.analysis.study;

import dev.npusim.analysis.imported.ImportedStudyResult;

/** What a {@link Study} measured, by network source; the renderers take each form. */
public sealed interface StudyResult {
  /** The face detector's study. */
  record Ssd(AnalysisResult result) implements StudyResult {}

  /** An imported network's study. */
  record Tflite(ImportedStudyResult result) implements StudyResult {}
}
