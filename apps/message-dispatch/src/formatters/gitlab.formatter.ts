import type { CliqMessage } from '@zapgate/contracts';
import { arr, branchOf, clip, firstLine, link, message, obj, str, urlButton, type Json } from './format-kit';

/** GitLab's action words (present tense, or nouns) as the verb of a sentence about the past. */
const DONE = new Map([
  ['open', 'opened'],
  ['close', 'closed'],
  ['reopen', 'reopened'],
  ['update', 'updated'],
  ['merge', 'merged'],
  ['approved', 'approved'],
  ['approval', 'approved'],
  ['unapproved', 'unapproved'],
  ['unapproval', 'unapproved'],
]);

/** What happened: the action as a past-tense verb, else the state it is in (opened, closed, merged, locked). */
function happened(attrs: Json): string {
  const action = str(attrs.action);
  return DONE.get(action) ?? (action || str(attrs.state, 'changed'));
}

/** GitLab events (object_kind, or X-Gitlab-Event) as readable Cliq messages; undefined for others. */
export function formatGitLab(body: Json): CliqMessage | undefined {
  const project = obj(body.project);
  const projectName = str(project.path_with_namespace, 'a project');
  const user = str(obj(body.user).name, str(body.user_name, 'someone'));
  const attrs = obj(body.object_attributes);
  switch (str(body.object_kind)) {
    case 'push': {
      const commits = arr(body.commits).map(obj);
      const count = Number(body.total_commits_count ?? commits.length);
      const lines = commits
        .slice(0, 10)
        .map((c) => `• ${link(str(c.id).slice(0, 8), str(c.url))} ${clip(firstLine(str(c.message)), 120)} — ${str(obj(c.author).name)}`);
      return message({
        title: `${str(body.user_name, user)} pushed ${count} commit${count === 1 ? '' : 's'} to ${projectName}:${branchOf(str(body.ref))}`,
        text: lines.join('\n') || 'No commits.',
        buttons: urlButton('View project', str(project.web_url)),
      });
    }
    case 'merge_request':
      return message({
        title: `${user} ${happened(attrs)} merge request !${str(attrs.iid)} in ${projectName}`,
        text: `*${str(attrs.title)}*\n${str(attrs.source_branch)} → ${str(attrs.target_branch)}`,
        buttons: urlButton('View merge request', str(attrs.url)),
      });
    case 'pipeline': {
      const url = str(attrs.url) || (str(project.web_url) ? `${str(project.web_url)}/-/pipelines/${str(attrs.id)}` : '');
      return message({
        title: `Pipeline #${str(attrs.id)} ${str(attrs.status)} in ${projectName}`,
        text: `Ref ${str(attrs.ref)}${attrs.duration ? `, ${str(attrs.duration)} s` : ''}, by ${user}.`,
        buttons: urlButton('View pipeline', url),
      });
    }
    case 'issue':
      return message({
        title: `${user} ${happened(attrs)} issue #${str(attrs.iid)} in ${projectName}`,
        text: `*${str(attrs.title)}*${attrs.description ? `\n${clip(str(attrs.description), 500)}` : ''}`,
        buttons: urlButton('View issue', str(attrs.url)),
      });
    default:
      return undefined;
  }
}
