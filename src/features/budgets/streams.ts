// The plan's streams as budgets need them: each stream with its costed items.
import { costItem, type PlanDocument } from '../planning/index.js';
import type { CostedItem, StreamForBudget } from './rules.js';

/** The plan's streams with their costed items (items that do not cost, or have no stream, are left out). */
export function streamsForBudget(doc: PlanDocument): StreamForBudget[] {
  return doc.streams.map((s) => ({
    id: s.id,
    name: s.name,
    body: s.body,
    holding: s.holding,
    items: doc.items
      .filter((i) => i.streamId === s.id)
      .flatMap((i): CostedItem[] => {
        const c = costItem(i);
        if (!c.ok) return [];
        return [
          {
            id: i.id,
            what: i.what,
            providerKind: i.provider.kind,
            providerName: i.provider.name,
            fourWeekly: c.cost.fourWeekly,
            oneOff: c.cost.oneOff,
            annual: c.cost.annual,
          },
        ];
      }),
  }));
}
