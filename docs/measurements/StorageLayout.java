import java.lang.foreign.*;
// Run: java docs/measurements/StorageLayout.java  (JDK 25). Heap float[] vs off-heap MemorySegment for c = a + b.
public class StorageLayout {
  static void heap(float[] a, float[] b, float[] c){ for(int i=0;i<a.length;i++) c[i]=a[i]+b[i]; }
  static void seg(MemorySegment a, MemorySegment b, MemorySegment c, long n){ for(long i=0;i<n;i++){ c.setAtIndex(ValueLayout.JAVA_FLOAT,i, a.getAtIndex(ValueLayout.JAVA_FLOAT,i)+b.getAtIndex(ValueLayout.JAVA_FLOAT,i)); } }
  public static void main(String[] x){
    int n=1<<20; float[] a=new float[n],b=new float[n],c=new float[n];
    Arena ar=Arena.ofShared(); MemorySegment sa=ar.allocate(4L*n,64), sb=ar.allocate(4L*n,64), sc=ar.allocate(4L*n,64);
    for(int r=0;r<5;r++){
      long t0=System.nanoTime(); for(int k=0;k<200;k++) heap(a,b,c); long t1=System.nanoTime();
      for(int k=0;k<200;k++) seg(sa,sb,sc,n); long t2=System.nanoTime();
      long t3=System.nanoTime(); for(int k=0;k<200;k++){ float[] o=new float[n]; heap(a,b,o);} long t4=System.nanoTime();
      for(int k=0;k<200;k++){ try(Arena ta=Arena.ofConfined()){ MemorySegment o=ta.allocate(4L*n,64); seg(sa,sb,o,n);} } long t5=System.nanoTime();
      System.out.printf("add 1M floats: heap %.0f us, segment %.0f us; with fresh output: heap %.0f us, segment %.0f us%n",(t1-t0)/200e3,(t2-t1)/200e3,(t4-t3)/200e3,(t5-t4)/200e3);
    }
  }
}
