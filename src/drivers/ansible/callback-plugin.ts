// Ansible's built-in `json` callback prints everything at the end; the default one is text meant
// for people. This stdout callback, written into the run's private directory and enabled by
// ANSIBLE_CALLBACK_PLUGINS/ANSIBLE_STDOUT_CALLBACK, prints one JSON line per event as it happens,
// so progress streams task by task and a failure names its task and host exactly.

export const CALLBACK_NAME = 'lifeboat_events';
export const EVENT_PREFIX = 'LIFEBOAT_EVENT ';

export const CALLBACK_SOURCE = `# Written by Lifeboat for one ansible-playbook run, removed after it.
from __future__ import annotations
import json
import sys
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: ${CALLBACK_NAME}
type: stdout
short_description: one JSON line per playbook event, for Lifeboat
description: Prints each event as a JSON line prefixed with ${EVENT_PREFIX.trim()}.
'''


def _msg(result):
    r = getattr(result, '_result', None) or {}
    # A command's own words beat Ansible's generic 'non-zero return code'.
    if r.get('rc') not in (None, 0):
        out = str(r.get('stderr') or r.get('stdout') or '').strip()
        if out:
            return '%s (exit %s)' % (out[-800:], r.get('rc'))
    for key in ('msg', 'stderr', 'module_stderr', 'exception', 'stdout'):
        value = r.get(key)
        if value:
            return str(value)[-800:]
    return ''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = '${CALLBACK_NAME}'

    def _emit(self, **event):
        sys.stdout.write('${EVENT_PREFIX}' + json.dumps(event, default=str) + '\\n')
        sys.stdout.flush()

    def v2_playbook_on_play_start(self, play):
        self._emit(event='play', name=play.get_name())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit(event='task', name=task.get_name())

    def v2_playbook_on_handler_task_start(self, task):
        self._emit(event='task', name=task.get_name(), handler=True)

    def v2_playbook_on_no_hosts_matched(self):
        self._emit(event='no_hosts')

    def v2_runner_on_ok(self, result):
        self._emit(event='ok', host=result._host.get_name(), task=result._task.get_name(),
                   changed=bool(result._result.get('changed', False)))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit(event='failed', host=result._host.get_name(), task=result._task.get_name(),
                   msg=_msg(result), ignored=bool(ignore_errors))

    def v2_runner_on_unreachable(self, result):
        self._emit(event='unreachable', host=result._host.get_name(), task=result._task.get_name(),
                   msg=_msg(result))

    def v2_runner_on_skipped(self, result):
        self._emit(event='skipped', host=result._host.get_name(), task=result._task.get_name())

    def v2_playbook_on_stats(self, stats):
        hosts = {h: stats.summarize(h) for h in sorted(stats.processed.keys())}
        self._emit(event='stats', hosts=hosts)
`;
