// A driver for the reference CQL (built by scripts/reference-cql/build.sh, outside the project):
// runs a program and prints every instance, for comparison with `catrust run`. Our own code.
package catdata.cql;

import java.io.File;
import java.io.FileReader;
import java.util.*;
import catdata.Util;
import catdata.Pair;
import catdata.Program;
import catdata.cql.exp.*;

public class RunDump {
  public static void main(String... args) throws Exception {
    String s = Util.readFile(new FileReader(new File(args[0])));
    Program<Exp<?>> program = AqlParserFactory.getParser().parseProgram(s);
    AqlEnv env = new AqlEnv(program);
    env.typing = new AqlTyping(program, false);
    AqlMultiDriver d = new AqlMultiDriver(program, env);
    d.start();
    if (d.env.exn != null) { d.env.exn.printStackTrace(); System.exit(1); }
    env = d.env;
    for (String n : program.order) {
      Exp<?> exp = program.exps.get(n);
      if (!exp.kind().equals(Kind.INSTANCE)) continue;
      Object val = env.get(exp.kind(), n);
      if (val == null) { System.out.println("instance " + n + " = no result"); continue; }
      dump(n, (Instance) val);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void dump(String name, Instance inst) {
    Schema sch = inst.schema();
    Algebra alg = inst.algebra();
    List<Object> ens = new ArrayList<>(sch.ens);
    ens.sort(Comparator.comparing(Object::toString));
    for (Object en : ens) {
      List<String> rows = new ArrayList<>();
      for (Object x : (Iterable<Object>) alg.en(en)) {
        StringBuilder sb = new StringBuilder();
        List<Object> atts = new ArrayList<>(sch.attsFrom(en));
        atts.sort(Comparator.comparing(Object::toString));
        for (Object att : atts) {
          Object t = alg.att(att, x);
          sb.append(att).append("=").append(alg.reprT((catdata.cql.Term) t)).append(" ");
        }
        List<Object> fks = new ArrayList<>(sch.fksFrom(en));
        fks.sort(Comparator.comparing(Object::toString));
        for (Object fk : fks) {
          Object y = alg.fk(fk, x);
          Object tgt = ((Pair) sch.fks.get(fk)).second;
          sb.append(fk).append("->").append(alg.printX(tgt, y)).append(" ");
        }
        rows.add("  " + alg.printX(en, x) + ": " + sb.toString().trim());
      }
      Collections.sort(rows);
      System.out.println(name + "." + en + " (" + rows.size() + ")");
      for (String r : rows) System.out.println(r);
    }
  }
}
