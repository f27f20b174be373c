// The lesson's steps: the walkthrough of docs/kubernetes.md (and the restore of
// docs/backup-restore.md) as the game page's Lesson panel shows them. This file is the one place
// their titles, commands and texts live on the page; tests/e2e/test_lesson.py checks that every
// command here is, verbatim and in the same order, a command of the page it names, under the
// step heading it names, and that the panel's Copy buttons copy exactly these. Change a command
// in the docs and here together.
//
// Each step: id; doc and number (the page and its "N. Title" heading; through: the last heading
// when the step spans several); title; commands
// ({text, note}: text is what the copy button copies, note says where to run it or why);
// notice (what to notice, one or two sentences); and either
// - given: the page cannot watch it happen, and why it follows from the page being served, or
// - checks: what the page watches for ({id, label}), worked out by lesson/progress.js from
//   GET /cluster, GET /highscores/fingerprint and what the page itself knows.

export const WALKTHROUGH = 'docs/kubernetes.md';
export const BACKUP_PAGE = 'docs/backup-restore.md';

export const STEPS = [
  {
    id: 'start',
    doc: WALKTHROUGH,
    number: 1,
    title: 'Start minikube',
    commands: [
      { text: 'minikube start --cpus=4 --memory=4g --addons=volumesnapshots,csi-hostpath-driver' },
    ],
    notice: 'The two addons are about storage: a CSI driver that makes a volume for every claim, and the API for snapshots of those volumes.',
    given: 'This page was served by a pod, so a cluster is running.',
  },
  {
    id: 'storage',
    doc: WALKTHROUGH,
    number: 2,
    title: 'Make csi-hostpath-sc the default storage class',
    commands: [
      { text: 'minikube addons disable storage-provisioner' },
      { text: 'minikube addons disable default-storageclass' },
      { text: 'kubectl patch storageclass csi-hostpath-sc \\\n  -p \'{"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}\'' },
      { text: 'kubectl get storageclass' },
    ],
    notice: 'A claim that names no class gets the default one.',
    given: 'The page cannot see storage classes; it sees the database members, and a member starts only once its volume claim is bound.',
  },
  {
    id: 'image',
    doc: WALKTHROUGH,
    number: 3,
    title: 'Build the image into minikube',
    commands: [
      { text: 'minikube image build -t pacman:local .' },
      { text: 'minikube image ls | grep pacman' },
    ],
    notice: 'Kubernetes runs images, it does not build them: minikube builds straight into the node.',
    given: 'This page came from a pod running the game\'s image, so the node has it.',
  },
  {
    id: 'apply',
    doc: WALKTHROUGH,
    number: 4,
    title: 'Apply the manifests',
    commands: [
      { text: 'kubectl apply -k k8s/overlays/minikube' },
      { text: 'kubectl get pods -n pacman -w', note: 'Ctrl-C stops watching.' },
    ],
    notice: 'The web pods get random names; the members get ordinal names, mongo-0, mongo-1, mongo-2, that they keep for life.',
    given: 'The web pods and the replica set are running: this page lists them in its Web tier and Database panels.',
  },
  {
    id: 'look',
    doc: WALKTHROUGH,
    number: 5,
    title: 'Look at what is running',
    commands: [
      { text: 'kubectl get all -n pacman' },
      { text: 'kubectl get pvc -n pacman' },
    ],
    notice: 'One claim per member, made from the StatefulSet\'s template: data-mongo-0, data-mongo-1, data-mongo-2.',
    given: 'kubectl lists what this page sees: the web pods and the members.',
  },
  {
    id: 'play',
    doc: WALKTHROUGH,
    number: 6,
    title: 'Play',
    commands: [
      { text: 'kubectl port-forward svc/pacman 9090:80 -n pacman', note: 'It keeps running: open http://localhost:9090.' },
      { text: 'curl -s localhost:9090/highscores/list', note: 'In another terminal, after saving a score.' },
    ],
    notice: 'Any web pod can serve you: they keep nothing, and every score goes to the replica set\'s primary.',
    checks: [
      { id: 'served', label: 'The game is served by a web pod' },
      { id: 'saved', label: 'Play a round and save your score' },
    ],
  },
  {
    id: 'scale-web',
    doc: WALKTHROUGH,
    number: 7,
    title: 'Scale the web tier to ten replicas',
    commands: [
      { text: 'kubectl scale deployment pacman --replicas=10 -n pacman' },
      { text: 'kubectl get pods -n pacman -l app.kubernetes.io/name=pacman' },
      { text: 'kubectl scale deployment pacman --replicas=2 -n pacman', note: 'Back to two, once you have seen ten.' },
    ],
    notice: 'The new pods are interchangeable copies: nothing else changes, and the scores stay where they are.',
    checks: [
      { id: 'ten', label: 'Ten web pods alive' },
    ],
  },
  {
    id: 'primary',
    doc: WALKTHROUGH,
    number: 8,
    title: 'Delete the primary and watch the scores survive',
    commands: [
      { text: 'while true; do curl -s -o /dev/null -w \'%{http_code} \' localhost:9090/highscores/list; sleep 0.5; done', note: 'In a second terminal: keeps asking for the scores.' },
      { text: 'kubectl delete pod mongo-0 -n pacman --wait=false', note: 'In a third: mongo-0 is usually the primary.' },
      { text: 'kubectl get pods -n pacman -l app.kubernetes.io/name=mongo -w' },
    ],
    notice: 'The other members elect a new primary within seconds; the deleted member comes back with the same name and the same volume, as a secondary.',
    checks: [
      { id: 'election', label: 'A new primary is elected' },
      { id: 'back', label: 'The deleted member is back, as a SECONDARY, under its own name' },
    ],
  },
  {
    id: 'scale-set',
    doc: WALKTHROUGH,
    number: 10,
    title: 'Scale the replica set to five members and back',
    commands: [
      { text: 'kubectl scale statefulset mongo --replicas=5 -n pacman' },
      { text: 'kubectl rollout status statefulset/mongo -n pacman --timeout=5m' },
      { text: 'kubectl scale statefulset mongo --replicas=3 -n pacman', note: 'Back to three, once all five are members.' },
    ],
    notice: 'A StatefulSet adds the next ordinals and removes the highest first; mongo-0 to mongo-2 are never touched.',
    checks: [
      { id: 'grown', label: 'Five members, the new ones named by ordinal' },
      { id: 'shrunk', label: 'Back to three: the added members leave the set' },
    ],
  },
  {
    id: 'restore',
    doc: BACKUP_PAGE,
    number: 1,
    through: 4,
    title: 'Back up, lose the database, restore it',
    commands: [
      { text: 'curl -s localhost:9090/highscores/fingerprint | tee before.json' },
      { text: 'scripts/backup.py --name before-disaster' },
      { text: 'kubectl delete statefulset mongo -n pacman', note: 'The disaster: the database and its claims gone.' },
      { text: 'kubectl delete pvc -l app.kubernetes.io/name=mongo -n pacman' },
      { text: 'scripts/backup.py restore before-disaster' },
      { text: 'kubectl apply -k k8s/overlays/minikube' },
      { text: 'kubectl rollout status statefulset/mongo -n pacman --timeout=5m' },
      { text: 'curl -s localhost:9090/highscores/fingerprint | tee after.json' },
      { text: 'diff before.json after.json && echo "the same scores"' },
    ],
    notice: 'One snapshot of one member restores all three: they start with the same data, the same configuration and the same names.',
    checks: [
      { id: 'gone', label: 'The database is gone: every member away' },
      { id: 'same', label: 'Restored: the same fingerprint as before' },
    ],
  },
];
