// The one place that maps component names to their implementations.
import { bind } from './bind.js';
import type { LabComponent } from './context.js';
import { etcd } from './etcd.js';
import { haproxy } from './haproxy.js';
import { httpService } from './http-service.js';
import { keepalived } from './keepalived.js';
import { mariadb } from './mariadb.js';
import { patroni } from './patroni.js';
import { postgres } from './postgres.js';
import { powerdns } from './powerdns.js';
import { rsync } from './rsync.js';
import { ssh } from './ssh.js';
import type { Component } from './topology.js';

export const LAB_COMPONENTS: Readonly<Record<Component, LabComponent>> = {
  postgres,
  mariadb,
  bind,
  powerdns,
  http: httpService,
  haproxy,
  ssh,
  rsync,
  keepalived,
  etcd,
  patroni,
};
