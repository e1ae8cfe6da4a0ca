// The SQLite store passes the token store conformance suite.
import { runTokenConformance } from '../../conformance/token-suite.js';
import { sqliteSubject } from '../store/sqlite-subject.js';

runTokenConformance(sqliteSubject());
