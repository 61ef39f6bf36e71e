#include "trainer/communicator_mpi.h"

#include <algorithm>
#include <climits>
#include <string>

#include "study/errors.h"

namespace rungs {

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw MpiError(std::string("MPI error in ") + what + ": " + std::string(text, len));
}

MpiComm MpiComm::duplicate(MPI_Comm comm) {
  MPI_Comm dup = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(comm, &dup), "MPI_Comm_dup");
  MpiComm owner(dup);
  check_mpi(MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return owner;
}

MpiComm MpiComm::split(MPI_Comm comm, int color, int key) {
  MPI_Comm out = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(comm, color, key, &out), "MPI_Comm_split");
  return MpiComm(out);
}

MpiCommunicator::MpiCommunicator(MPI_Comm group) : comm_(MpiComm::duplicate(group)) {
  check_mpi(MPI_Comm_size(comm_.get(), &size_), "MPI_Comm_size");
  check_mpi(MPI_Comm_rank(comm_.get(), &rank_), "MPI_Comm_rank");
}

namespace {
/// MPI counts are int: reduce very large buffers in pieces.
template <class T>
void allreduce_chunks(MPI_Comm comm, T* data, std::int64_t count, MPI_Datatype type) {
  constexpr std::int64_t kChunk = INT_MAX / 2;
  for (std::int64_t done = 0; done < count; done += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, count - done));
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, data + done, n, type, MPI_SUM, comm), "MPI_Allreduce");
  }
}
}  // namespace

void MpiCommunicator::allreduce_sum(float* data, std::int64_t count) {
  if (size_ > 1) allreduce_chunks(comm_.get(), data, count, MPI_FLOAT);
}

void MpiCommunicator::allreduce_sum(double* data, std::int64_t count) {
  if (size_ > 1) allreduce_chunks(comm_.get(), data, count, MPI_DOUBLE);
}

}  // namespace rungs
