// The whole continuity-plan document, in the order a reader needs it: what matters and where it
// runs, then each service's plan, then what fails together and how things come back.
import type { Analysis } from '../analysis/types.js';
import type { Plan } from '../plan/schema/plan.js';
import { type Block, paragraph, type RenderedDocument } from './document-model.js';
import {
  diagramSection,
  serviceTableSection,
  sitesSection,
  summaryBlocks,
  tiersSection,
} from './document-overview.js';
import {
  blastRadiusSection,
  costSection,
  drillsSection,
  findingsSection,
  recoveryOrderSection,
  runbooksSection,
} from './document-risk.js';
import { serviceSections } from './document-services.js';

export function buildDocument(plan: Plan, analysis: Analysis): RenderedDocument {
  const intro: Block[] = [];
  if (plan.description !== undefined && plan.description.trim() !== '')
    intro.push(paragraph(plan.description.trim()));
  intro.push(...summaryBlocks(plan, analysis));
  return {
    title: `Service continuity plan: ${plan.name}`,
    intro,
    sections: [
      tiersSection(plan, analysis),
      sitesSection(plan),
      diagramSection(),
      serviceTableSection(plan, analysis),
      serviceSections(plan, analysis),
      blastRadiusSection(analysis),
      recoveryOrderSection(analysis),
      costSection(analysis),
      runbooksSection(plan),
      drillsSection(plan),
      findingsSection(analysis),
    ],
  };
}
