import { detectLanguage } from '../language';
import type { Phase } from '../pipeline';

export const detectLanguagePhase: Phase = (input) => ({ language: input.language ?? detectLanguage(input.text) });
