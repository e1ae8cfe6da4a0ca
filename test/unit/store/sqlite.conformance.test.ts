// The SQLite store passes the state store conformance suite, child processes included.
import { runStoreConformance } from '../../conformance/store-suite.js';
import { sqliteSubject } from './sqlite-subject.js';

runStoreConformance(sqliteSubject());
