import type { CliqMessage } from '@zapgate/contracts';
import { arr, branchOf, clip, firstLine, link, message, obj, str, urlButton, type Json } from './format-kit';

/** GitHub events (X-GitHub-Event) as readable Cliq messages; undefined for events it does not know. */
export function formatGitHub(event: string, body: Json): CliqMessage | undefined {
  const repo = obj(body.repository);
  const repoName = str(repo.full_name, 'a repository');
  const sender = str(obj(body.sender).login, 'someone');
  const action = str(body.action);
  switch (event) {
    case 'ping':
      return message({ title: `GitHub webhook connected to ${repoName}`, text: str(body.zen, 'Ping received.') });
    case 'push': {
      const commits = arr(body.commits).map(obj);
      const branch = branchOf(str(body.ref));
      const pusher = str(obj(body.pusher).name, sender);
      const lines = commits
        .slice(0, 10)
        .map((c) => `• ${link(str(c.id).slice(0, 7), str(c.url))} ${clip(firstLine(str(c.message)), 120)} — ${str(obj(c.author).name)}`);
      if (commits.length > 10) lines.push(`…and ${commits.length - 10} more`);
      return message({
        title: `${pusher} pushed ${commits.length} commit${commits.length === 1 ? '' : 's'} to ${repoName}:${branch}`,
        text: lines.join('\n') || `${pusher} pushed to ${branch}.`,
        buttons: urlButton('Compare', str(body.compare)),
      });
    }
    case 'pull_request': {
      const pr = obj(body.pull_request);
      const verb = action === 'closed' && pr.merged ? 'merged' : action;
      return message({
        title: `${sender} ${verb} pull request #${str(body.number ?? pr.number)} in ${repoName}`,
        text: `*${str(pr.title)}*\n${branchOf(str(obj(pr.head).ref))} → ${branchOf(str(obj(pr.base).ref))}`,
        buttons: urlButton('View pull request', str(pr.html_url)),
      });
    }
    case 'issues': {
      const issue = obj(body.issue);
      return message({
        title: `${sender} ${action} issue #${str(issue.number)} in ${repoName}`,
        text: `*${str(issue.title)}*${issue.body ? `\n${clip(str(issue.body), 500)}` : ''}`,
        buttons: urlButton('View issue', str(issue.html_url)),
      });
    }
    case 'release': {
      const release = obj(body.release);
      return message({
        title: `${sender} ${action} release ${str(release.tag_name)} of ${repoName}`,
        text: `*${str(release.name) || str(release.tag_name)}*${release.prerelease ? ' (pre-release)' : ''}${release.body ? `\n${clip(str(release.body), 1000)}` : ''}`,
        buttons: urlButton('View release', str(release.html_url)),
      });
    }
    case 'workflow_run': {
      const run = obj(body.workflow_run);
      const outcome = str(run.conclusion) || str(run.status);
      return message({
        // GitHub's own example has an empty run name: the workflow's name is what people know it by.
        title: `Workflow ${str(run.name) || str(obj(body.workflow).name) || 'run'} #${str(run.run_number)} ${outcome} in ${repoName}`,
        text: `Branch ${str(run.head_branch)}, ${action} by ${sender}.`,
        buttons: urlButton('View run', str(run.html_url)),
      });
    }
    default:
      return undefined;
  }
}
