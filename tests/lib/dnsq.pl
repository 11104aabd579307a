# tests/lib/dnsq.pl SERVER[:PORT] udp|tcp NAME [TYPE] [id=N] [flags=N] [edns]
#                   [trickle=MS [conns=N]]
# One DNS query (core perl modules only), without EDNS so a UDP answer is
# limited to 512 bytes.  Prints "rcode=R tc=T an=N a=ADDR,... aaaa=N id=ID
# took=MS" (ID: the answer's) or "error=WHY took=MS"; bounded by an alarm of
# 4 s.  Network tests copy it into the project, which the sandbox shows.
# TYPE: A (the default), AAAA, CNAME, NS, SOA, NULL, PTR, MX, TXT, SRV, SVCB,
# HTTPS, ANY, CAA or TYPEnnn.
# id=N and flags=N (0x... allowed) set the header's id and flags (default: a
# random id, RD); edns adds an OPT record (UDP size 1232, DO) carrying a
# private option 65001 ("clbox-edns") and 40 bytes of padding.
# hangup (tcp only): close the connection as soon as the query is sent, and
# print "sent took=MS".
# trickle=MS (tcp only): a slow client.  It opens conns=N connections (1 by
# default) and sends the query on each one byte every MS ms, then reads.
# Prints "trickled n=N answered=A closed=C open=O ms=T1,T2,..." (the times,
# sorted, from the connection to its close by the server or its answer),
# bounded by an alarm of 8 s.
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time);
my $t0 = time;
my ($server, $proto, $name, @more) = @ARGV;
my %types = (A => 1, NS => 2, CNAME => 5, SOA => 6, NULL => 10, PTR => 12, MX => 15, TXT => 16, AAAA => 28,
    SRV => 33, SVCB => 64, HTTPS => 65, ANY => 255, CAA => 257);
my $type = @more && $more[0] =~ /^([A-Z]+|TYPE\d+)$/ ? shift @more : 'A';
my $qtype = $type =~ /^TYPE(\d+)$/ ? $1 : $types{$type} // die "dnsq.pl: unknown type $type\n";
my %opt = map { /^([a-z]+)(?:=(.*))?$/ ? ($1 => $2 // 1) : die "dnsq.pl: bad argument $_\n" } @more;
my $num = sub { my $v = shift; $v =~ /^0x/i ? hex $v : $v };
my ($host, $port) = split /:/, $server;
sub out { printf "%s took=%d\n", $_[0], (time - $t0) * 1000; exit 0 }
local $SIG{ALRM} = sub { out('error=timeout') };
alarm($opt{trickle} ? 8 : 4);
my $id = exists $opt{id} ? $num->($opt{id}) : 1 + int(rand 65000);
my $q = pack 'n6', $id, exists $opt{flags} ? $num->($opt{flags}) : 0x0100, 1, 0, 0, $opt{edns} ? 1 : 0;
$q .= pack 'C/a*', $_ for split /\./, $name;
$q .= pack 'Cnn', 0, $qtype, 1;
if ($opt{edns}) {
    my $rdata = pack('nn', 65001, 10) . 'clbox-edns' . pack('nn', 12, 40) . "\0" x 40;
    $q .= pack 'CnnNn', 0, 41, 1232, 0x8000, length $rdata;
    $q .= $rdata;
}
trickle($opt{trickle}, $opt{conns} // 1) if $opt{trickle};
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port || 53, Proto => $proto, Timeout => 3)
    or out("error=$!");
my $r = '';
if ($proto eq 'tcp') {
    print {$s} pack('n', length $q), $q or out("error=$!");
    if ($opt{hangup}) { close $s; out('sent') }
    while (length $r < 2 || length $r < 2 + unpack 'n', $r) {
        my $n = sysread $s, my $buf, 65537;
        out(defined $n ? 'error=closed' : "error=$!") unless $n;
        $r .= $buf;
    }
    $r = substr $r, 2;
} else {
    send $s, $q, 0 or out("error=$!");
    defined recv($s, $r, 65535, 0) or out("error=$!");
}
out('error=short') if length $r < 12;
my ($rid, $flags, $qd, $an) = unpack 'n4', $r;
my $pos = 12;
my $name_end = sub {
    for (;;) {
        my $len = unpack 'C', substr $r, $pos, 1;
        if ($len >= 0xc0) { $pos += 2; return }
        $pos += 1 + $len;
        return unless $len;
    }
};
for (1 .. $qd) { $name_end->(); $pos += 4 }
my (@a, $aaaa);
$aaaa = 0;
for (1 .. $an) {
    last if $pos + 10 > length $r;
    $name_end->();
    my ($t, undef, undef, $len) = unpack 'nnNn', substr $r, $pos, 10;
    $pos += 10;
    push @a, join '.', unpack 'C4', substr $r, $pos, 4 if $t == 1;
    $aaaa++ if $t == 28;
    $pos += $len;
}
out(sprintf 'rcode=%d tc=%d an=%d a=%s aaaa=%d id=%d', $flags & 15, ($flags >> 9) & 1, $an, join(',', @a), $aaaa, $rid);

# Each connection gets one byte of the query every $ms ms, all of them in
# turn; a connection is done when the server closes it or answers.
sub trickle {
    my ($ms, $n) = @_;
    my $msg = pack('n', length $q) . $q;
    my (@socks, @opened, @sent, @done);
    for my $i (0 .. $n - 1) {
        $socks[$i] = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port || 53, Proto => 'tcp', Timeout => 3)
            or out("error=connect $i: $!");
        $opened[$i] = time;
        $sent[$i] = 0;
    }
    my ($answered, $closed, @took) = (0, 0);
    my $report = sub {
        my $open = grep { !$done[$_] } 0 .. $n - 1;
        out(sprintf 'trickled n=%d answered=%d closed=%d open=%d ms=%s', $n, $answered, $closed, $open,
            join ',', sort { $a <=> $b } @took);
    };
    local $SIG{ALRM} = $report;
    my $next = time;
    while (grep { !$done[$_] } 0 .. $n - 1) {
        my $rin = '';
        vec($rin, fileno $socks[$_], 1) = 1 for grep { !$done[$_] } 0 .. $n - 1;
        my $wait = $next - time;
        select(my $rout = $rin, undef, undef, $wait > 0 ? $wait : 0);
        for my $i (grep { !$done[$_] && vec($rout, fileno $socks[$_], 1) } 0 .. $n - 1) {
            my $got = sysread $socks[$i], my $buf, 65537;
            $got ? $answered++ : $closed++;
            push @took, int((time - $opened[$i]) * 1000);
            $done[$i] = 1;
            close $socks[$i];
        }
        next if time < $next;
        for my $i (grep { !$done[$_] && $sent[$_] < length $msg } 0 .. $n - 1) {
            syswrite $socks[$i], substr($msg, $sent[$i]++, 1);
        }
        $next += $ms / 1000;
    }
    $report->();
}
