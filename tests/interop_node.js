// The Node.js peer of test_interop_node.c: Node 26's tls module (OpenSSL 3.5, which has the
// hybrid ML-KEM groups) as a TLS 1.3 server or client on 127.0.0.1.
//
//   node interop_node.js server CERT KEY GROUPS COUNT
//     Listens on a free port and prints "port N" on stdout; serves COUNT connections one after
//     the other, answering each line with "node:" and the line. OpenSSL's trace goes to stderr
//     (enableTrace): the C side reads the group of each ServerHello there. After each
//     connection "=== done resumed=R" goes to stderr too, written synchronously so that it
//     lands after that connection's trace.
//   node interop_node.js client PORT CA GROUPS [SESSION_IN|-] [SESSION_OUT|-]
//     Connects, sends "hello from node", expects "tenon:hello from node" back, and prints
//     "group=NAME resumed=R reply=OK" on stdout. SESSION_IN: a session (hex) to resume;
//     SESSION_OUT: where the session ticket received goes.
// GROUPS is an OpenSSL group list ("X25519MLKEM768", "X25519:P-256", ...) or "default".
'use strict';
const tls = require('tls');
const fs = require('fs');

const [mode, ...args] = process.argv.slice(2);
const fail = (why) => {
    fs.writeSync(2, `interop_node: ${why}\n`);
    process.exit(1);
};
setTimeout(() => fail('timed out'), 20000).unref();

function groupsOpt(groups) {
    return groups === 'default' ? {} : { ecdhCurve: groups };
}

if (mode === 'server') {
    const [cert, key, groups, count] = args;
    let left = Number(count);
    const server = tls.createServer({
        cert: fs.readFileSync(cert),
        key: fs.readFileSync(key),
        minVersion: 'TLSv1.3',
        enableTrace: true,
        ...groupsOpt(groups),
    }, (socket) => {
        const resumed = socket.isSessionReused() ? 1 : 0; // not known any more at 'close'
        let buf = '';
        socket.setEncoding('utf8');
        socket.on('data', (d) => {
            buf += d;
            const nl = buf.indexOf('\n');
            if (nl >= 0) {
                socket.write('node:' + buf.slice(0, nl + 1));
                buf = buf.slice(nl + 1);
            }
        });
        socket.on('error', () => {});
        socket.on('close', () => {
            fs.writeSync(2, `=== done resumed=${resumed}\n`);
            if (--left === 0)
                server.close();
        });
    });
    server.on('tlsClientError', (e) => fs.writeSync(2, `=== error ${e.code || e.message}\n`));
    server.listen(0, '127.0.0.1', () => {
        fs.writeSync(1, `port ${server.address().port}\n`);
    });
} else if (mode === 'client') {
    const [port, ca, groups, sessionIn, sessionOut] = args;
    const opts = {
        host: '127.0.0.1',
        port: Number(port),
        servername: 'localhost',
        ca: fs.readFileSync(ca),
        minVersion: 'TLSv1.3',
        ...groupsOpt(groups),
    };
    if (sessionIn && sessionIn !== '-')
        opts.session = Buffer.from(fs.readFileSync(sessionIn, 'utf8'), 'hex');
    const socket = tls.connect(opts, () => {
        socket.write('hello from node\n');
    });
    let buf = '', session = null, done = false;
    socket.setEncoding('utf8');
    socket.on('session', (s) => {
        session = s;
    });
    const finish = () => {
        if (done)
            return;
        done = true;
        if (sessionOut && sessionOut !== '-') {
            if (session === null)
                fail('no session ticket received');
            fs.writeFileSync(sessionOut, session.toString('hex'));
        }
        const info = socket.getEphemeralKeyInfo() || {};
        fs.writeSync(1, `group=${info.name} resumed=${socket.isSessionReused() ? 1 : 0} ` +
            `reply=${buf === 'tenon:hello from node\n' ? 'OK' : JSON.stringify(buf)}\n`);
        socket.end();
    };
    socket.on('data', (d) => {
        buf += d;
        // A TLS 1.3 ticket comes after the handshake: wait a little for it when one is wanted.
        if (buf.endsWith('\n'))
            setTimeout(finish, sessionOut && sessionOut !== '-' ? 200 : 0);
    });
    socket.on('error', (e) => fail(`client: ${e.code || e.message}`));
} else {
    fail(`unknown mode ${mode}`);
}
