import { resolve } from 'node:path';

/** The project root, and the read-only shared/ folder that sits beside it (also in CI's fresh clone). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const SHARED = process.env.HWQUAL_SHARED ?? resolve(PROJECT_ROOT, '../shared');
export const JUNIT_XSD = resolve(SHARED, 'schemas/junit-jenkins.xsd');
export const REAL_HOSTS = resolve(SHARED, 'real-hosts');
