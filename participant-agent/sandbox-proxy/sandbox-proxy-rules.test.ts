/**
 * The sandbox proxy's decisions without an engine: which calls have a name
 * at all, and which container creates pass. The create body that passes is
 * the one docker-sandbox.ts sends; each refusal changes one thing about it,
 * the way a hostile agent would, and the bank folders are real folders (the
 * symbolic-link case needs lstat to see a real link).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainerSeccompOption } from '../sandbox/trainer-seccomp';
import { forwardPath } from './docker-call';
import { checkContainerCreate, classifyDockerCall, compileProxyRules, hostPathProblem, type ProxyRules } from './index';

const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;
const IDS = new Set([IMAGE_ID]);

let root: string;
let bank1: string;
let bank2: string;
let rules: ProxyRules;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shoal-proxy-rules-'));
  bank1 = join(root, 'bank-1');
  bank2 = join(root, 'bank-2');
  for (const bank of [bank1, bank2]) {
    mkdirSync(join(bank, 'work', 'runs', 'r1', 'in'), { recursive: true });
    mkdirSync(join(bank, 'work', 'runs', 'r1', 'out'), { recursive: true });
    writeFileSync(join(bank, 'credit-default.csv'), 'a,b\n1,2\n');
  }
  // Planted by a hostile bank-1 in its own folder: a link to bank-2's data, and one to bank-2's folder.
  symlinkSync(join(bank2, 'credit-default.csv'), join(bank1, 'borrowed.csv'));
  symlinkSync(bank2, join(bank1, 'work', 'neighbour'));
  rules = compileProxyRules({ agentId: 'bank-1', allowedPaths: [bank1], allowedImages: ['shoal-trainer:dev'] });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What DockerSandbox.create sends for bank-1 (docker-sandbox.ts). */
function sandboxBody(): Record<string, any> {
  return {
    Image: IMAGE_ID,
    User: '65534:65534',
    WorkingDir: '/',
    Env: [],
    Labels: { 'shoal.managed': 'true', 'shoal.agent': 'bank-1', 'shoal.job': 'job-1', 'shoal.round': '1' },
    NetworkDisabled: true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Mounts: [
        { Type: 'bind', Source: join(bank1, 'credit-default.csv'), Target: '/data/credit-default.csv', ReadOnly: true },
        { Type: 'bind', Source: join(bank1, 'work', 'runs', 'r1', 'in'), Target: '/in', ReadOnly: true },
        { Type: 'bind', Source: join(bank1, 'work', 'runs', 'r1', 'out'), Target: '/out', ReadOnly: false },
      ],
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m,nr_inodes=4096,mode=1777,uid=65534,gid=65534' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true', trainerSeccompOption()],
      IpcMode: 'private',
      ShmSize: 16 * 1024 * 1024,
      Privileged: false,
      PidsLimit: 256,
      Memory: 2048 * 1024 * 1024,
      MemorySwap: 2048 * 1024 * 1024,
      NanoCpus: 1e9,
      Ulimits: [
        { Name: 'fsize', Soft: 256 * 1024 * 1024, Hard: 256 * 1024 * 1024 },
        { Name: 'nofile', Soft: 256, Hard: 256 },
      ],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
      Init: true,
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
    },
  };
}

/** The refusal's message, or 'allowed'. */
function decide(change: (body: Record<string, any>) => void, name = 'shoal-bank-1-job-1-1-0a1b2c3d'): string {
  const body = sandboxBody();
  change(body);
  try {
    checkContainerCreate(name, body, rules, IDS);
    return 'allowed';
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
}

function classify(method: string, url: string): string {
  try {
    const call = classifyDockerCall(method, url);
    return call.kind === 'container' ? `container ${call.action} ${call.container}` : call.kind;
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
}

describe('container create', () => {
  test("the sandbox's own container passes", () => {
    expect(decide(() => undefined)).toBe('allowed');
  });

  test('a mount of another bank’s folder, of /, or of the host’s /etc is refused', () => {
    expect(decide((b) => (b.HostConfig.Mounts[0].Source = join(bank2, 'credit-default.csv')))).toBe(
      `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[0].Source: ${JSON.stringify(join(bank2, 'credit-default.csv'))} is outside this organisation's folders (${bank1})`,
    );
    expect(decide((b) => (b.HostConfig.Mounts[1].Source = '/'))).toBe(`DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[1].Source: "/" is outside this organisation's folders (${bank1})`);
    expect(decide((b) => b.HostConfig.Mounts.push({ Type: 'bind', Source: '/etc', Target: '/data/etc', ReadOnly: true }))).toBe(
      `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[3].Source: "/etc" is outside this organisation's folders (${bank1})`,
    );
  });

  test('a path that climbs out with .., or a sibling folder sharing the prefix, is refused', () => {
    expect(decide((b) => (b.HostConfig.Mounts[0].Source = `${bank1}/../bank-2/credit-default.csv`))).toBe(
      `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[0].Source: ${JSON.stringify(`${bank1}/../bank-2/credit-default.csv`)} is not an absolute, normalised path`,
    );
    expect(hostPathProblem(`${bank1}-evil/x.csv`, [bank1])).toBe(`${JSON.stringify(`${bank1}-evil/x.csv`)} is outside this organisation's folders (${bank1})`);
  });

  test('a symbolic link planted in the bank’s own folder is refused, as a file and as a folder on the way', () => {
    expect(decide((b) => (b.HostConfig.Mounts[0].Source = join(bank1, 'borrowed.csv')))).toBe(
      `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[0].Source: ${join(bank1, 'borrowed.csv')} is a symbolic link; the engine would follow it out of the organisation's folder`,
    );
    expect(decide((b) => (b.HostConfig.Mounts[0].Source = join(bank1, 'work', 'neighbour', 'credit-default.csv')))).toBe(
      `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[0].Source: ${join(bank1, 'work', 'neighbour')} is a symbolic link; the engine would follow it out of the organisation's folder`,
    );
  });

  test('privileged, in either spelling, is refused', () => {
    expect(decide((b) => (b.HostConfig.Privileged = true))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Privileged: expected false; found boolean true');
    // The engine's JSON decoder matches field names regardless of case.
    expect(decide((b) => (b.HostConfig.privileged = true))).toMatch(/^DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig\.privileged: /);
  });

  test('the host network, or any network, is refused', () => {
    expect(decide((b) => (b.HostConfig.NetworkMode = 'host'))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.NetworkMode: expected "none"; found the string "host"');
    expect(decide((b) => (b.NetworkDisabled = false))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: NetworkDisabled: expected true; found boolean false');
  });

  test('a container labelled as another bank’s is refused', () => {
    expect(decide((b) => (b.Labels['shoal.agent'] = 'bank-2'))).toBe(
      'DOCKER_CALL_REFUSED: the sandbox proxy refused container create: the container must carry the labels shoal.managed=true and shoal.agent=bank-1; found shoal.agent="bank-2"',
    );
  });

  test('host settings the sandbox never sends are refused: Binds, CapAdd, devices, the host PID namespace', () => {
    for (const [key, value] of [['Binds', ['/:/host']], ['CapAdd', ['SYS_ADMIN']], ['Devices', [{ PathOnHost: '/dev/sda' }]], ['PidMode', 'host'], ['VolumesFrom', ['other']]] as const) {
      expect(decide((b) => (b.HostConfig[key] = value))).toMatch(new RegExp(`^DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig\\.${key}: `));
    }
  });

  test('an unconfined seccomp profile, or none, is refused', () => {
    const message = `DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.SecurityOpt: expected no-new-privileges and the sandbox's own seccomp profile, nothing else; found a list of 2`;
    expect(decide((b) => (b.HostConfig.SecurityOpt = ['no-new-privileges:true', 'seccomp=unconfined']))).toBe(message);
    expect(decide((b) => (b.HostConfig.SecurityOpt = ['no-new-privileges:true', 'apparmor=unconfined']))).toBe(message);
  });

  test('root, a writable dataset, another image and an unnamed container kind are refused', () => {
    expect(decide((b) => (b.User = '0:0'))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: User: expected "65534:65534"; found the string "0:0"');
    expect(decide((b) => (b.HostConfig.Mounts[0].ReadOnly = false))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig.Mounts[0]: /data/credit-default.csv must be read-only');
    expect(decide((b) => (b.Image = 'alpine:latest'))).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: the image "alpine:latest" is not one this organisation allows (shoal-trainer:dev)');
    expect(decide(() => undefined, 'bank-2-job')).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused container create: the container name "bank-2-job" is not a sandbox name');
  });

  test('more memory than the organisation allows, or swap, is refused', () => {
    expect(decide((b) => (b.HostConfig.Memory = b.HostConfig.MemorySwap = 64 * 1024 * 1024 * 1024))).toMatch(/^DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig\.Memory: /);
    expect(decide((b) => (b.HostConfig.MemorySwap = -1))).toMatch(/^DOCKER_CALL_REFUSED: the sandbox proxy refused container create: HostConfig\.MemorySwap: /);
  });
});

describe('which calls have a name', () => {
  test('the calls the sandbox makes are named, with or without an API version', () => {
    expect(classify('GET', '/_ping')).toBe('ping');
    expect(classify('GET', '/v1.41/version')).toBe('version');
    expect(classify('GET', '/images/shoal-trainer:dev/json')).toBe('image-inspect');
    expect(classify('POST', '/containers/create?name=shoal-bank-1-job-1-1-0a1b2c3d')).toBe('container-create');
    expect(classify('POST', '/v1.41/containers/abc123/start')).toBe('container start abc123');
    expect(classify('POST', '/containers/abc123/wait')).toBe('container wait abc123');
    expect(classify('GET', '/containers/abc123/json')).toBe('container inspect abc123');
    expect(classify('GET', '/containers/abc123/logs?stdout=true&stderr=true&follow=false')).toBe('container logs abc123');
    expect(classify('POST', '/containers/abc123/kill?signal=SIGKILL')).toBe('container kill abc123');
    expect(classify('DELETE', '/containers/abc123?force=true&v=true')).toBe('container remove abc123');
    expect(classify('GET', '/containers/json?all=true&filters=%7B%7D')).toBe('container-list');
    expect(classify('GET', '/events?since=1&until=2&filters=%7B%7D')).toBe('events');
  });

  test('exec, attach, image pull, build, archives, updates and commits are refused', () => {
    const refusal = (call: string): string => `DOCKER_CALL_REFUSED: the sandbox proxy refused ${call}: the sandbox makes no such call (the proxy lets through only creating, running and removing this organisation’s training containers)`;
    expect(classify('POST', '/containers/abc123/exec')).toBe(refusal('POST /containers/abc123/exec'));
    expect(classify('POST', '/exec/abc123/start')).toBe(refusal('POST /exec/abc123/start'));
    expect(classify('POST', '/containers/abc123/attach?stream=1')).toBe(refusal('POST /containers/abc123/attach?stream=1'));
    expect(classify('POST', '/images/create?fromImage=alpine&tag=latest')).toBe(refusal('POST /images/create?fromImage=alpine&tag=latest'));
    expect(classify('POST', '/build')).toBe(refusal('POST /build'));
    expect(classify('PUT', '/containers/abc123/archive?path=/')).toBe(refusal('PUT /containers/abc123/archive?path=/'));
    expect(classify('GET', '/containers/abc123/archive?path=/')).toBe(refusal('GET /containers/abc123/archive?path=/'));
    expect(classify('POST', '/containers/abc123/update')).toBe(refusal('POST /containers/abc123/update'));
    expect(classify('POST', '/commit?container=abc123')).toBe(refusal('POST /commit?container=abc123'));
    expect(classify('POST', '/volumes/create')).toBe(refusal('POST /volumes/create'));
  });

  test('encoded or climbing paths, unknown and repeated parameters are refused', () => {
    expect(classify('POST', '/containers/create%2F..%2Fexec')).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused POST /containers/create%2F..%2Fexec: the path holds characters or segments the sandbox never sends');
    expect(classify('GET', '/images/../containers/json')).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused GET /images/../containers/json: the path holds characters or segments the sandbox never sends');
    expect(classify('POST', '/containers/abc123/kill?signal=SIGKILL&detachKeys=x')).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused POST /containers/abc123/kill?signal=SIGKILL&detachKeys=x: the query parameter "detachKeys" is not one the sandbox uses');
    // dockerode repeats the create body in the query; only the name is kept, and forwarded.
    const create = classifyDockerCall('POST', '/containers/create?name=shoal-x&platform=linux&HostConfig=%7B%22Privileged%22%3Atrue%7D');
    expect(forwardPath(create)).toBe('/containers/create?name=shoal-x');
    expect(classify('POST', '/containers/create?name=shoal-x&name=shoal-y')).toBe('DOCKER_CALL_REFUSED: the sandbox proxy refused POST /containers/create?name=shoal-x&name=shoal-y: the query parameter "name" is repeated');
  });
});

describe('the rules themselves', () => {
  test('the host root cannot be an allowed folder, and the trainer cannot be root', () => {
    expect(() => compileProxyRules({ agentId: 'bank-1', allowedPaths: ['/'], allowedImages: ['x'] })).toThrow('--allow-path: expected an absolute folder other than /; found "/"');
    expect(() => compileProxyRules({ agentId: 'bank-1', allowedPaths: [bank1], allowedImages: ['x'], trainerUser: '0:0' })).toThrow('--trainer-user: expected a numeric non-root uid:gid; found "0:0"');
    expect(() => compileProxyRules({ agentId: '../bank-2', allowedPaths: [bank1], allowedImages: ['x'] })).toThrow(/^--agent: expected a lower-case identifier/);
  });
});
