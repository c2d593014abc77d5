// The documents the server is given: it decides what they are (a YAML file that is neither a
// compose file nor a Kubernetes manifest gets no diagnostics and costs a glance).

export const LANGUAGES = ['dockerfile', 'dockercompose', 'yaml'] as const;

export const DOCUMENT_SELECTOR = [
  ...LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]),
  // Dockerfiles that another extension gave another language.
  { scheme: 'file', pattern: '**/{Dockerfile,Dockerfile.*,Containerfile,Containerfile.*,*.dockerfile,*.Dockerfile,*.containerfile}' },
];
