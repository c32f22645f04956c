// What `dist/node.js ctl --help` prints (stdout, exit 0) and a usage error prints after its reason (stderr, exit 2).
export const CTL_USAGE = `usage: node dist/node.js ctl [options] COMMAND [ARGS]   (a client for a standalone cluster, like etcdctl)
commands:
  get KEY                        print the value as JSON
  put KEY VALUE                  write VALUE (parsed as JSON when it parses, else taken as a string)
  cas KEY FROM TO                compare-and-set (FROM and TO parsed like VALUE)
  status                         one row per endpoint, from its GET /status
  transfer-leader [ID]           hand leadership to ID (its --id or Raft id), or to the most up-to-date follower
  member list                    the members (GET /admin/members)
  member add ID ADDRESS          add a learner (ADDRESS is its peer address, HOST:PORT)
  member promote ID              promote a learner to voter
  member remove ID               remove a member
options:
  --endpoints LIST               members' HTTP addresses, HOST:PORT or URLs, comma-separated
                                 (default: the cluster \`npm run cluster\` runs here, else 127.0.0.1:10001,10002,10003)
  -w, --output table|json        table: values, OK and tables (default); json: the nodes' JSON answers
  --dial-timeout MS              give up connecting to one endpoint after MS (default 1000)
  --request-timeout MS           give up waiting for one answer after MS (default 7000, above a node's own 5 s)
  --command-timeout MS           keep trying other endpoints while they say "no leader" for MS (default 5000)
  --cacert FILE                  trust this CA for https endpoints (endpoints without a scheme become https)
  --cert FILE --key FILE         client certificate for https endpoints
  --admin-token-file FILE        bearer token sent with /admin/ requests
exit status: 0 ok, 1 definite failure (nothing happened), 2 usage, 3 outcome unknown (it may have happened)`;
