import type { SubjectRepository } from './repository.ts';
import type { Subject } from './schemas.ts';

export function subjectService(subjects: SubjectRepository) {
  return {
    async all(): Promise<Subject[]> {
      const rows = await subjects.listAll();
      return rows.map((row) => ({ ...row, btotal: 0 }));
    },
  };
}

export type SubjectService = ReturnType<typeof subjectService>;
